import en from '../../../src/web/locales/en.json';
import fr from '../../../src/web/locales/fr.json';
import { ERROR_STATUS } from '../../../src/common/error-status';
import { errorMessage, i18n, initI18n, pickLanguage } from '../../../src/web/lib/i18n';

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v !== null ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe('web messages', () => {
  it('French and English have the same messages, none empty', () => {
    expect(keys(fr).sort()).toEqual(keys(en).sort());
    for (const k of keys(fr)) expect(k.split('.').reduce((o: never, p) => o[p], fr as never)).not.toBe('');
  });

  it('every refusal code the API answers has a message in both languages', () => {
    for (const code of Object.keys(ERROR_STATUS)) {
      expect([code, code in en.errors, code in fr.errors]).toEqual([code, true, true]);
    }
  });

  it('picks the browser’s first language it speaks, a stored choice first', () => {
    expect(pickLanguage(['de-DE', 'fr-CA', 'en'], null)).toBe('fr');
    expect(pickLanguage(['en-GB'], null)).toBe('en');
    expect(pickLanguage(['de'], null)).toBe('en');
    expect(pickLanguage(['fr'], 'en')).toBe('en');
    expect(pickLanguage(['en'], 'xx')).toBe('en');
  });

  it('translates an API refusal, and shows an unknown one with its code', async () => {
    await initI18n('fr');
    expect(errorMessage({ code: 'NOT_INVITED', message: 'x' })).toBe(fr.errors.NOT_INVITED);
    await i18n.changeLanguage('en');
    expect(errorMessage({ code: 'NOT_INVITED' })).toBe(en.errors.NOT_INVITED);
    expect(errorMessage({ code: 'SOMETHING_NEW', message: 'why' })).toBe('Refused (SOMETHING_NEW): why');
  });
});
