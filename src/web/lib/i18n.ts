// Messages in French and English (locales/*.json), the language chosen from the browser's
// preferences and switchable (kept in localStorage). Every refusal code of the API has a message
// in both: `ERROR_MESSAGES_COMPLETE` fails to compile when a code is missing.
import i18next from 'i18next';
import type { DomainErrorCode } from '../../core/rules/domain-error';
import en from '../locales/en.json';
import fr from '../locales/fr.json';

export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

type ErrorMessages = Record<DomainErrorCode | 'NETWORK' | 'unknown', string>;
export const ERROR_MESSAGES_COMPLETE: [ErrorMessages, ErrorMessages] = [en.errors, fr.errors];

/** The first of the browser's languages we speak; English otherwise. */
export function pickLanguage(preferred: readonly string[], stored: string | null): Language {
  if (stored && (LANGUAGES as readonly string[]).includes(stored)) return stored as Language;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if ((LANGUAGES as readonly string[]).includes(base)) return base as Language;
  }
  return 'en';
}

export const i18n = i18next.createInstance();

export async function initI18n(language: Language): Promise<void> {
  await i18n.init({
    lng: language,
    fallbackLng: 'en',
    resources: { en: { translation: en }, fr: { translation: fr } },
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  });
}

/** The message of an API refusal, in the current language. */
export function errorMessage(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e && typeof e.code === 'string' && i18n.exists(`errors.${e.code}`)) return i18n.t(`errors.${e.code}`);
  return i18n.t('errors.unknown', { code: e?.code ?? '?', message: e?.message ?? String(error) });
}
