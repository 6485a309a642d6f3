// The CLI's messages in English and French. The language comes from --lang,
// else LC_ALL, LC_MESSAGES, LANG (POSIX order); anything starting with "fr" is French.
export type Lang = 'en' | 'fr';

export function pickLang(flag: string | undefined, env: Record<string, string | undefined>): Lang {
  const chosen = flag ?? env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? '';
  return chosen.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

type Params = Record<string, string | number>;
type Catalog = Record<string, string>;

const EN: Catalog = {
  'init.done': 'Registered {name} as member {member} on {instance} (profile {profile}).',
  'init.recovery':
    'Your recovery words (shown once; write them down on paper, they can add and revoke your keys):',
  'init.recoveryFile': 'They are also in {file}: move that file offline (a USB key, paper) and delete it here.',
  'init.noRecovery': 'This instance does not take a recovery key yet: none was registered.',
  'init.brought': '{name} ({member}) now acts on {instance} too, registered from {home} (profile {profile}). Her keys stay those of her home instance.',
  'init.exists': 'profile {profile} already exists ({file}): choose another with --profile',
  'whoami': '{name} ({member})\n  instance {instance}\n  profile  {profile}\n  key      {kid}',
  'profile.none': 'no profile: run `archipel init --instance URL --name NAME` first',
  'profile.unknown': 'no profile named {profile}: known profiles: {known}',
  'profile.many': 'several profiles ({known}): choose one with --profile',
  'key.added': 'Key {kid} added for {member}.',
  'key.addedOut': 'The new device profile is in {file} (mode 0600): copy it to the other device and run `archipel init --import FILE` there, then delete it here.',
  'key.revoked': 'Key {kid} revoked: it signs nothing from now on.',
  'key.recovered': 'Recovered: this device now signs with the new key {kid}.',
  'key.recoveredRevoked': 'The old key {kid} is revoked.',
  'key.wordsPrompt': 'Recovery words',
  'key.wordsBad': 'these are not valid recovery words: check their spelling and order',
  'key.wordsNotYours': "these recovery words are not {member}'s recovery key",
  'key.confirmRevoke': 'Revoke key {kid}? It will sign nothing ever again.',
  'key.cancelled': 'Nothing done.',
  'circle.created': 'Circle {name} created: {circle}',
  'circle.invited': 'Invited {member} to {circle}.',
  'circle.joined': 'You are now a member of {circle}.',
  'circle.left': 'You left {circle}.',
  'appended': 'Appended at seq {seq} of {circle}.',
  'proposal.opened': 'Proposal {proposal} opened in {circle} under {regime}; closes {closesAt} (in {closesIn}).',
  'proposal.regime': 'Circle {circle} decides under {regime} ({params}).',
  'vote.cast': 'Voted {choice} on {proposal}.',
  'vote.retracted': 'Vote on {proposal} retracted: your delegation applies again.',
  'delegation.set': 'Delegated to {to} ({scope}) in {circle}.',
  'delegation.revoked': 'Delegation ({scope}) in {circle} revoked.',
  'position.set': 'Your regime position in {circle}: {position}.',
  'proposals.none': 'No proposals.',
  'circles.none': 'You are in no circle yet.',
  'invitations': 'Invitations waiting for you:',
  'weight.direct': 'your weight: cast directly ({choice})',
  'weight.delegated': 'your weight: delegated via {chain} → {choice}',
  'weight.lost': 'your weight: lost (the chain {chain} ends in an absent member or a cycle)',
  'weight.absent': 'your weight: not cast (no vote, no delegation)',
  'weight.notEligible': 'your weight: you are not eligible on this proposal',
  'watch.start': 'Watching {circle} from seq {from} (Ctrl-C to stop)…',
  'working': '{what}…',
  'usage.hint': '(add --help for usage)',
  'label.circle': 'circle',
  'label.parent': 'parent',
  'label.regime': 'regime',
  'label.members': 'members',
  'label.children': 'children',
  'label.log': 'log',
  'label.entries': '{n} entries',
  'label.forked': 'forked from {circle} at seq {seq}',
  'label.status': 'status',
  'label.closes': 'closes {at}',
  'label.in': 'in {duration}',
  'label.topic': 'topic',
  'label.result': 'result',
  'label.soFar': 'so far',
  'error.refused': 'error {code}: {message}',
  'error.instanceFailed': 'the instance failed ({status} {code}: {message}); try again later',
};

const FR: Catalog = {
  'init.done': '{name} enregistrée comme membre {member} sur {instance} (profil {profile}).',
  'init.recovery':
    'Vos mots de secours (affichés une seule fois ; notez-les sur papier, ils peuvent ajouter et révoquer vos clés) :',
  'init.recoveryFile': 'Ils sont aussi dans {file} : mettez ce fichier hors ligne (clé USB, papier) et effacez-le ici.',
  'init.noRecovery': "Cette instance n'accepte pas encore de clé de secours : aucune n'a été enregistrée.",
  'init.brought': '{name} ({member}) agit désormais aussi sur {instance}, inscrite depuis {home} (profil {profile}). Ses clés restent celles de son instance d’origine.',
  'init.exists': 'le profil {profile} existe déjà ({file}) : choisissez-en un autre avec --profile',
  'whoami': '{name} ({member})\n  instance {instance}\n  profil   {profile}\n  clé      {kid}',
  'profile.none': "aucun profil : lancez d'abord `archipel init --instance URL --name NOM`",
  'profile.unknown': 'aucun profil nommé {profile} ; profils connus : {known}',
  'profile.many': 'plusieurs profils ({known}) : choisissez-en un avec --profile',
  'key.added': 'Clé {kid} ajoutée pour {member}.',
  'key.addedOut': "Le profil du nouvel appareil est dans {file} (mode 0600) : copiez-le sur l'autre appareil, lancez-y `archipel init --import FICHIER`, puis effacez-le ici.",
  'key.revoked': 'Clé {kid} révoquée : elle ne signe plus rien désormais.',
  'key.recovered': 'Récupération faite : cet appareil signe maintenant avec la nouvelle clé {kid}.',
  'key.recoveredRevoked': "L'ancienne clé {kid} est révoquée.",
  'key.wordsPrompt': 'Mots de secours',
  'key.wordsBad': "ce ne sont pas des mots de secours valides : vérifiez l'orthographe et l'ordre",
  'key.wordsNotYours': 'ces mots de secours ne sont pas la clé de secours de {member}',
  'key.confirmRevoke': 'Révoquer la clé {kid} ? Elle ne signera plus jamais rien.',
  'key.cancelled': 'Rien de fait.',
  'circle.created': 'Cercle {name} créé : {circle}',
  'circle.invited': '{member} invité·e dans {circle}.',
  'circle.joined': 'Vous êtes maintenant membre de {circle}.',
  'circle.left': 'Vous avez quitté {circle}.',
  'appended': 'Ajouté au rang {seq} de {circle}.',
  'proposal.opened': 'Proposition {proposal} ouverte dans {circle} sous le régime {regime} ; clôture {closesAt} (dans {closesIn}).',
  'proposal.regime': 'Le cercle {circle} décide sous le régime {regime} ({params}).',
  'vote.cast': 'Vote {choice} sur {proposal}.',
  'vote.retracted': 'Vote sur {proposal} retiré : votre délégation s’applique de nouveau.',
  'delegation.set': 'Délégation à {to} ({scope}) dans {circle}.',
  'delegation.revoked': 'Délégation ({scope}) dans {circle} révoquée.',
  'position.set': 'Votre position de régime dans {circle} : {position}.',
  'proposals.none': 'Aucune proposition.',
  'circles.none': "Vous n'êtes encore dans aucun cercle.",
  'invitations': 'Invitations en attente :',
  'weight.direct': 'votre poids : exprimé directement ({choice})',
  'weight.delegated': 'votre poids : délégué via {chain} → {choice}',
  'weight.lost': 'votre poids : perdu (la chaîne {chain} finit sur un membre absent ou un cycle)',
  'weight.absent': 'votre poids : non exprimé (ni vote ni délégation)',
  'weight.notEligible': "votre poids : vous n'êtes pas éligible sur cette proposition",
  'watch.start': 'Suivi de {circle} depuis le rang {from} (Ctrl-C pour arrêter)…',
  'working': '{what}…',
  'usage.hint': "(ajoutez --help pour l'aide)",
  'label.circle': 'cercle',
  'label.parent': 'parent',
  'label.regime': 'régime',
  'label.members': 'membres',
  'label.children': 'enfants',
  'label.log': 'journal',
  'label.entries': '{n} entrées',
  'label.forked': 'scindé de {circle} au rang {seq}',
  'label.status': 'statut',
  'label.closes': 'clôture {at}',
  'label.in': 'dans {duration}',
  'label.topic': 'sujet',
  'label.result': 'résultat',
  'label.soFar': 'à ce stade',
  'error.refused': 'erreur {code} : {message}',
  'error.instanceFailed': "l'instance a échoué ({status} {code} : {message}) ; réessayez plus tard",
};

const CATALOGS: Record<Lang, Catalog> = { en: EN, fr: FR };

export type Translate = (key: string, params?: Params) => string;

export function translator(lang: Lang): Translate {
  return (key, params = {}) => {
    const template = CATALOGS[lang][key] ?? EN[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}

/** Every key of one catalog exists in the other (a unit test holds this). */
export function catalogKeys(lang: Lang): string[] {
  return Object.keys(CATALOGS[lang]).sort();
}
