import { render, screen } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import { describe, expect, it } from 'vitest';
import VirtualList from './VirtualList.svelte';

describe('VirtualList', () => {
  it('renders a window of rows, not the whole list', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => `row ${i}`);
    const row = createRawSnippet((item: () => string) => ({ render: () => `<span>${item()}</span>` }));
    render(VirtualList<string>, { props: { items, rowHeight: 30, row, label: 'Rows' } });
    const rendered = screen.getAllByRole('listitem');
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.length).toBeLessThan(50);
    expect(rendered[0]?.textContent).toBe('row 0');
    const spacer = screen.getByRole('list').firstElementChild as HTMLElement;
    expect(spacer.style.height).toBe('300000px');
  });
});
