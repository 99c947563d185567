# Sidene for moderatorer og administratorer (/admin).

admin-nav-label = Moderering
admin-overview-title = Oversikt over modereringen
admin-overview-reports = { $more ->
    [more] { $count } eller flere rapporter venter
   *[exact] { $count ->
        [0] Ingen rapporter venter
        [one] Én rapport venter
       *[other] { $count } rapporter venter
    }
}
admin-overview-reports-link = Åpne rapportene
admin-overview-sign-ups = { $more ->
    [more] { $count } eller flere registreringer venter på godkjenning
   *[exact] { $count ->
        [0] Ingen registreringer venter på godkjenning
        [one] Én registrering venter på godkjenning
       *[other] { $count } registreringer venter på godkjenning
    }
}
admin-overview-sign-ups-link = Åpne registreringene
admin-refused = Dette lot seg ikke gjøre: { $reason }
admin-all = Alle
admin-none = Ingen
admin-nobody = Ingen
admin-yes = Ja
admin-save = Lagre
admin-filter = Vis
admin-older = Eldre oppføringer

admin-reports-title = Rapporter
admin-reports-open = Åpne rapporter
admin-reports-resolved = Avsluttede rapporter
admin-reports-show-open = Vis åpne rapporter
admin-reports-show-resolved = Vis avsluttede rapporter
admin-reports-none = Ingen rapporter her.
admin-report-number = Rapport
admin-report-link = Rapport { $id }
admin-report-title = Rapport { $id }
admin-report-target = Rapportert konto
admin-report-reporter = Rapportert av
admin-report-from-server = En moderator på { $domain }
admin-report-filed = Sendt inn
admin-report-status = Status
admin-report-is-open = Åpen
admin-report-is-resolved = Avsluttet
admin-report-assigned = Tildelt
admin-report-category = Kategori
admin-report-rules = Regler som er brutt
admin-report-comment = Kommentar
admin-report-forwarded = Videresendt til den andre serveren
admin-report-posts = Rapporterte innlegg
admin-report-no-posts = Rapporten nevner ingen innlegg, eller de er fjernet.
admin-report-remove-post = Fjern dette innlegget
admin-report-steps = Hva som skal gjøres
admin-report-assign = Tildel meg
admin-report-unassign = Fjern tildelingen
admin-report-resolve = Merk som avsluttet
admin-report-reopen = Åpne igjen
admin-report-classify = Kategori og regler
admin-report-history = Historikk
admin-report-groups = Grupper den gjelder
admin-report-group-done = tilretteleggerne er ferdige
admin-report-group-waiting = venter på tilretteleggerne
admin-post-warning = Innholdsvarsel:
admin-error-no-post = Velg et innlegg som skal fjernes.
admin-category-spam = Søppelpost
admin-category-legal = Ulovlig innhold
admin-category-violation = Bryter reglene
admin-category-other = Annet
admin-visibility-public = Offentlig
admin-visibility-unlisted = Ikke oppført
admin-visibility-private = Bare følgere
admin-visibility-direct = Direktemelding
admin-visibility-group = Gruppe
admin-step-remove_post = Innlegg fjernet
admin-step-hide_post = Innlegg skjult her
admin-step-mute = Dempet i en gruppe
admin-step-ban = Utestengt fra en gruppe
admin-step-done = En gruppes del er ferdig
admin-step-assign = Tildelt
admin-step-unassign = Tildeling fjernet
admin-step-resolve = Avsluttet
admin-step-reopen = Åpnet igjen
admin-step-update = Kategori eller regler endret

admin-action-heading = Reager overfor { $name }
admin-action-type = Hva som skal gjøres
admin-action-none = Bare advar
admin-action-sensitive = Merk mediene deres som sensitive
admin-action-disable = Steng innloggingen
admin-action-silence = Begrens kontoen
admin-action-suspend = Suspender kontoen
admin-action-text = Melding til medlemmet
admin-action-text-hint = Medlemmet leser den sammen med advarselen. Ikke nevn hvem som rapporterte.
admin-action-resolve-too = Merk også rapporten som avsluttet
admin-action-submit = Utfør

admin-accounts-title = Kontoer
admin-accounts-origin = Hvor
admin-accounts-local = På denne serveren
admin-accounts-remote = På andre servere
admin-accounts-status = Status
admin-accounts-search = Brukernavn
admin-accounts-none = Ingen kontoer passer.
admin-account-name = Konto
admin-account-display-name = Visningsnavn
admin-account-role = Rolle
admin-account-state = Status
admin-account-joined = Registrert
admin-account-reason = Begrunnelse ved registrering
admin-account-actions = Handlinger
admin-account-reports = Rapporter om denne kontoen
admin-account-history = Historikk
admin-state-pending = Venter på godkjenning
admin-state-active = Aktiv
admin-state-suspended = Suspendert
admin-state-silenced = Begrenset
admin-state-disabled = Innlogging stengt
admin-state-sensitized = Medier merket som sensitive
admin-role-member = Medlem
admin-role-facilitator = Tilrettelegger
admin-role-moderator = Moderator
admin-role-admin = Administrator
admin-role-group = Gruppe
admin-role-heading = Endre rollen
admin-role-submit = Endre rolle
admin-undo-unsuspend = Opphev suspensjonen
admin-undo-unsilence = Opphev begrensningen
admin-undo-enable = Åpne innloggingen igjen
admin-undo-unsensitive = Slutt å merke medier som sensitive
admin-purge-heading = Slett alt fra denne kontoen
admin-purge-hint = Innleggene, meldingene og profilen slettes for godt. Dette kan ikke angres.
admin-purge-confirm = Jeg forstår at dette ikke kan angres
admin-purge-submit = Slett for godt
admin-purge-unconfirmed = Kryss av i boksen for å bekrefte slettingen.
admin-sign-up-waiting = Denne registreringen venter på godkjenning
admin-approve = Godkjenn
admin-reject = Avslå
admin-approve-named = Godkjenn { $name }
admin-reject-named = Avslå { $name }

admin-sign-ups-title = Registreringer som venter
admin-sign-ups-none = Ingen venter på godkjenning.
admin-invites-title = Invitasjoner
admin-invite-new = Lag en invitasjon
admin-invite-max-uses = Hvor mange som kan bruke den
admin-invite-max-uses-hint = La feltet stå tomt for ingen grense.
admin-invite-expires = Gyldig i antall dager
admin-invite-expires-hint = La feltet stå tomt for ingen sluttdato.
admin-invite-create = Lag invitasjon
admin-invite-created = Den nye invitasjonskoden:
admin-invite-once = Kopier den nå: den vises bare denne ene gangen.
admin-invite-bad-uses = Antall bruk må være et helt tall fra 1 til 1000.
admin-invite-bad-days = Antall dager må være et helt tall fra 1 til 365.
admin-invites-list = Invitasjoner som er laget
admin-invite-made = Laget
admin-invite-uses = Brukt
admin-invite-expiry = Utløper
admin-invite-state = Status
admin-invite-never = Aldri
admin-invite-usable = Gyldig
admin-invite-ended = Utløpt
admin-invite-revoke = Trekk tilbake

admin-audit-title = Revisjonslogg
admin-audit-kind = Type
admin-audit-kind-hint = For eksempel account.suspend, eller federation. for alle endringer i føderasjonen.
admin-audit-actor = Utført av (brukernavn)
admin-audit-no-such-actor = Det finnes ingen lokal konto med det brukernavnet.
admin-audit-none = Ingen oppføringer.
admin-audit-when = Når
admin-audit-who = Hvem
admin-audit-target = Gjelder
admin-audit-change = Endring

admin-federation-title = Føderasjon
admin-fed-mode = Hvem denne serveren snakker med
admin-fed-mode-open = Alle servere som ikke er blokkert
admin-fed-mode-allowlist = Bare partnerne som står nedenfor
admin-fed-blocks = Blokkerte servere
admin-fed-block-new = Blokker en server
admin-fed-domain = Domene
admin-fed-severity = Alvorlighetsgrad
admin-fed-severity-suspend = Suspender: ingenting utveksles
admin-fed-severity-silence = Begrens: holdes utenfor offentlige steder
admin-fed-severity-noop = Ingen begrensning (bare valgene nedenfor)
admin-fed-reject-media = Avvis mediene deres
admin-fed-reject-reports = Avvis rapportene deres
admin-fed-obfuscate = Skjul domenenavnet i den offentlige listen
admin-fed-public-comment = Offentlig kommentar
admin-fed-public-comment-hint = Vises i den offentlige listen over blokkerte servere.
admin-fed-private-comment = Privat kommentar
admin-fed-private-comment-hint = Bare moderatorer ser den.
admin-fed-block-submit = Blokker
admin-fed-unblock = Opphev blokkeringen
admin-fed-partners = Partnere
admin-fed-partners-hint = I tillatelsesliste-modus snakker serveren bare med partnere, og bare om det som er krysset av.
admin-fed-partner-new = Legg til en partner
admin-fed-scopes = Hva som kan utveksles
admin-fed-scope-follows = Følginger
admin-fed-scope-announcements = Innlegg og kunngjøringer
admin-fed-scope-meetings = Møter
admin-fed-scope-rsvps = Svar på møter
admin-fed-scope-reports = Rapporter
admin-fed-scope-direct = Direktemeldinger
admin-fed-no-scope = Kryss av for minst én ting partneren kan utveksle.
admin-fed-partner-submit = Legg til partner
admin-fed-partner-remove = Fjern partneren
admin-fed-directory = Møtekatalog
admin-fed-directory-hint = Partnere som har sine offentlige møter oppført her.
admin-fed-sub-requested = Spurt, venter på svar
admin-fed-sub-accepted = Oppført
admin-fed-sub-rejected = Avslått av partneren
admin-fed-subscribe = Før opp møtene deres
admin-fed-unsubscribe = Slutt å føre opp møtene deres
admin-fed-subscribers = Partnere som fører opp våre møter

admin-announcements-title = Kunngjøringer
admin-announcements-list = Kunngjøringer som er laget
admin-announcement = Kunngjøring
admin-announcement-new = Ny kunngjøring
admin-announcement-text = Tekst
admin-announcement-starts = Første dag (valgfritt)
admin-announcement-ends = Siste dag (valgfritt)
admin-announcement-publish = Publisert: medlemmene ser den
admin-announcement-published = Publisert
admin-announcement-draft = Utkast, vises ikke for medlemmene
admin-announcement-create = Lag kunngjøring
admin-announcement-delete = Slett denne kunngjøringen

admin-crisis-title = Krisehjelp
admin-crisis-hint = Vises på hver side under «Hjelp i en krise» og i den varsomme meldingen.
admin-crisis-new = Legg til en hjelpetjeneste
admin-crisis-name = Navn
admin-crisis-phone = Telefon
admin-crisis-text = Nummer for tekstmeldinger
admin-crisis-url = Nettadresse
admin-crisis-hours = Åpningstider
admin-crisis-region = Område
admin-crisis-language = Språk
admin-crisis-position = Plass i listen
admin-crisis-add = Legg til hjelpetjeneste
admin-crisis-delete = Fjern denne hjelpetjenesten
admin-crisis-bad-position = Plassen må være et helt tall.
