// The members' web app: identity, circles, proposals, delegation, the regime cursor, forks and an
// audit run in the page. See docs/web.md.
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { LocationProvider, Router, Route } from 'preact-iso';
import { initI18n, i18n, pickLanguage, LANGUAGES } from './lib/i18n';
import { loadIdentity, type Identity } from './lib/identity';
import { installNativeCrypto } from './lib/native-crypto';
import { SessionContext, useT, useSession } from './lib/state';
import { Welcome } from './pages/welcome';
import { Home } from './pages/home';
import { CirclePage } from './pages/circle';
import { ProposalPage } from './pages/proposal';
import { AuditPage } from './pages/audit';
import { MePage, JoinPage } from './pages/me';
import { TreePage } from './pages/tree';
import { DevicePage, KeyBanner } from './pages/devices';
import './styles.css';

const LANGUAGE_KEY = 'archipel.language';

function Shell() {
  const t = useT();
  const { me, language, setLanguage } = useSession();
  return (
    <>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header>
        <a class="brand" href="/">
          {t('app.name')}
        </a>
        {me && (
          <nav aria-label={t('nav.main')}>
            <a href="/">{t('nav.home')}</a>
            <a href="/circles">{t('nav.tree')}</a>
            <a href="/me">{t('nav.me')}</a>
          </nav>
        )}
        <label class="lang">
          <span class="sr-only">{t('app.language')}</span>
          <select aria-label={t('app.language')} value={language} onChange={(e) => setLanguage(e.currentTarget.value)}>
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {l === 'fr' ? 'Français' : 'English'}
              </option>
            ))}
          </select>
        </label>
      </header>
      <main id="main">
        {me && <KeyBanner />}
        {me ? (
          <Router>
            <Route path="/" component={Home} />
            <Route path="/me" component={MePage} />
            <Route path="/circles" component={TreePage} />
            <Route path="/circles/:id" component={CirclePage} />
            <Route path="/circles/:id/audit" component={AuditPage} />
            <Route path="/proposals/:id" component={ProposalPage} />
            <Route path="/join/:member" component={JoinPage} />
            <Route path="/device/:key" component={DevicePage} />
            <Route default component={Home} />
          </Router>
        ) : (
          <Welcome />
        )}
      </main>
    </>
  );
}

function App({ initial, initialLanguage }: { initial: Identity | null; initialLanguage: string }) {
  const [me, setMe] = useState(initial);
  const [language, setLanguageState] = useState(initialLanguage);
  const setLanguage = (l: string) => {
    localStorage.setItem(LANGUAGE_KEY, l);
    document.documentElement.lang = l;
    void i18n.changeLanguage(l).then(() => setLanguageState(l));
  };
  return (
    <SessionContext.Provider value={{ me, setMe, language, setLanguage }}>
      <LocationProvider>
        <Shell />
      </LocationProvider>
    </SessionContext.Provider>
  );
}

async function start(): Promise<void> {
  installNativeCrypto();
  const language = pickLanguage(navigator.languages ?? [navigator.language], localStorage.getItem(LANGUAGE_KEY));
  document.documentElement.lang = language;
  await initI18n(language);
  const me = await loadIdentity().catch(() => null);
  const root = document.getElementById('app')!;
  root.textContent = ''; // the static "loading" line of index.html
  render(<App initial={me} initialLanguage={language} />, root);
}

void start();
