import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

/**
 * zh-CN first, English available. Strings are written where they are used as
 * `t('中文', 'English')`: both languages sit side by side, so a page can never
 * ship with a missing translation key.
 */
export type Lang = 'zh-CN' | 'en';
const STORAGE_KEY = 'shanglian.lang';

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: (zh: string, en: string) => string;
}

const I18nContext = createContext<I18n>({ lang: 'zh-CN', setLang: () => {}, t: (zh) => zh });

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh-CN') return saved;
  } catch {
    /* storage may be unavailable (private mode) */
  }
  return 'zh-CN';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      /* ignore */
    }
    document.documentElement.lang = next;
  }, []);
  const value = useMemo<I18n>(() => ({ lang, setLang, t: (zh, en) => (lang === 'en' ? en : zh) }), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}

export function useT(): I18n['t'] {
  return useContext(I18nContext).t;
}
