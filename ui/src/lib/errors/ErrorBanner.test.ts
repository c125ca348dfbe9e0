import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import ErrorBanner from './ErrorBanner.svelte';
import { nextStep } from './hints';
import { NEXT_STEPS } from '../duplicates/format';
import type { AppError, ErrorCode } from '../ipc/bindings';

const error = (code: ErrorCode): AppError => ({ code, message: `${code} happened` });

describe('next steps', () => {
  it('are generic by code unless the screen gives its own', () => {
    expect(nextStep(error('conflict'))).toBe('Choose another name, or remove the existing one first.');
    const steps = { conflict: 'Wait for the other run.' };
    expect(nextStep(error('conflict'), steps)).toBe('Wait for the other run.');
    // Codes the screen says nothing about keep the generic step.
    expect(nextStep(error('io'), steps)).toBe(nextStep(error('io')));
  });

  it('read as the Duplicates screen’s there, generic for io, workspace and bugs', () => {
    expect(nextStep(error('conflict'), NEXT_STEPS)).toBe(
      'Duplicates are already being found — wait for that run or cancel it.',
    );
    expect(nextStep(error('cancelled'), NEXT_STEPS)).toBe('Nothing changed; press Find duplicates to run again.');
    for (const code of ['io', 'workspace_unusable', 'internal'] as const) {
      expect(nextStep(error(code), NEXT_STEPS)).toBe(nextStep(error(code)));
    }
    expect(nextStep(error('internal'), NEXT_STEPS)).toContain('bug report');
  });
});

describe('ErrorBanner', () => {
  it('shows the message and the generic next step', () => {
    render(ErrorBanner, { props: { error: error('cancelled') } });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('cancelled happened');
    expect(alert.textContent).toContain('Sync again when ready');
    expect(alert.dataset.code).toBe('cancelled');
  });

  it('shows the screen’s own next step when given one', () => {
    render(ErrorBanner, { props: { error: error('cancelled'), hints: NEXT_STEPS } });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('press Find duplicates to run again');
    expect(alert.textContent).not.toContain('Sync again');
  });
});
