// uPlot, loaded on first use. Its module builds `new Intl.NumberFormat(navigator.language)`
// as it loads, which throws a RangeError under a POSIX locale (LANG=C makes WebKitGTK report
// the language "C"): loaded statically, that would stop the whole app from starting. So it is
// loaded here, after making sure the language is one Intl accepts, and a chart that still
// cannot load falls back to plain bars.
import type uPlot from 'uplot';

let loading: Promise<typeof uPlot> | null = null;

/** A language tag Intl accepts: the webview's own, else en-US. */
export function usableLanguage(language: string | undefined): string {
  try {
    if (language) {
      new Intl.NumberFormat(language);
      return language;
    }
  } catch {
    // fall through
  }
  return 'en-US';
}

function mendLanguage() {
  const usable = usableLanguage(navigator.language);
  if (usable !== navigator.language) {
    try {
      Object.defineProperty(navigator, 'language', { value: usable, configurable: true });
    } catch {
      // A navigator that cannot be mended: the import below fails and the fallback is shown.
    }
  }
}

export function loadUPlot(): Promise<typeof uPlot> {
  loading ??= Promise.resolve()
    .then(mendLanguage)
    .then(() => import('uplot'))
    .then((module) => module.default);
  return loading;
}
