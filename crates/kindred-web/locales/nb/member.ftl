# Sider for medlemmer: registrering, hjem, skriv, innstillinger, hjelp.

member-sign-up-title = Opprett en konto
member-sign-up-closed = Dette fellesskapet tar ikke imot nye registreringer akkurat nå.
member-sign-up-approval-mode = Moderatorene leser hver forespørsel før kontoen kan brukes. Du kan logge inn når de har godkjent den.
member-sign-up-invite-mode = Du trenger en invitasjonskode fra dette fellesskapet for å registrere deg.
member-sign-up-username = Brukernavn
member-sign-up-pseudonym = Velg et kallenavn: ikke bruk ditt ekte navn eller noe som kan identifisere deg. Andre ser dette navnet.
member-sign-up-password = Passord
member-sign-up-password-hint = Minst 8 tegn. Noen ord du husker, fungerer godt.
member-sign-up-email = E-postadresse (valgfritt)
member-sign-up-email-hint = Brukes bare til å tilbakestille passordet. Ingen andre ser den; du kan la feltet stå tomt.
member-sign-up-invite = Invitasjonskode
member-sign-up-reason = Hvorfor vil du bli med? (valgfritt)
member-sign-up-reason-hint = Bare moderatorene leser dette.
member-sign-up-agreement = Jeg har lest reglene over og godtar å følge dem.
member-sign-up-submit = Opprett kontoen min
member-sign-up-have-account = Har du allerede en konto?
member-sign-up-missing = Velg et brukernavn og et passord.
member-sign-up-taken = Det brukernavnet kan ikke brukes. Velg et annet.
member-sign-up-bad-username = Et brukernavn er 1 til 30 bokstaver, sifre eller understreker (_).
member-sign-up-bad-email = Den e-postadressen ser ikke riktig ut. Du kan også la feltet stå tomt.
member-sign-up-bad-password = Passordet må være mellom 8 og 128 tegn.
member-sign-up-bad-invite = Invitasjonskoden er ugyldig eller utløpt.
member-sign-up-agree-first = Les reglene og kryss av i boksen for å godta dem.
member-pending-title = Takk for at du registrerte deg
member-pending-text = Forespørselen din er sendt til moderatorene. Du kan logge inn så snart de har godkjent kontoen din.
member-pending-help = Trenger du noen å snakke med nå? Her finner du hjelp.

member-home-title = Hjem
member-home-timeline = Tidslinjen din
member-home-empty = Ingenting her ennå. Følg folk eller bli med i en gruppe for å se innleggene deres.
member-paging = Flere innlegg
member-older = Eldre innlegg
member-boosted-by = Delt av { $name }
member-cw = Innholdsadvarsel
member-audience-public = Offentlig
member-audience-unlisted = Ulistet
member-audience-private = Bare følgere
member-audience-direct = Bare de som er nevnt
member-audience-other = Gruppe

member-compose-title = Skriv et innlegg
member-compose-cw = Innholdsadvarsel (valgfritt)
member-compose-cw-hint = Fyller du ut dette, ser andre bare disse ordene til de velger å åpne innlegget ditt.
member-compose-text = Innlegget ditt
member-compose-audience = Hvem kan se det
member-compose-language = Språkkode (for eksempel nb eller en)
member-compose-submit = Publiser
member-compose-empty = Skriv noe før du publiserer.
member-compose-invalid = Innlegget kunne ikke publiseres: det kan være for langt. Ingenting ble publisert.
member-compose-bad-audience = Velg hvem som kan se det fra listen.
member-compose-bad-language = En språkkode er to eller tre bokstaver, for eksempel nb eller en.

member-settings-title = Innstillinger
member-settings-nav = Innstillinger
member-settings-profile = Profil og valg
member-settings-saved = Lagret.
member-settings-display-name = Visningsnavn
member-settings-bio = Om deg
member-settings-audience = Hvem ser innleggene dine som standard
member-settings-language = Språk på disse sidene
member-settings-language-browser = Slik nettleseren min ber om
member-settings-save = Lagre innstillingene
member-settings-bad-display-name = Visningsnavnet er for langt (høyst 30 tegn).
member-settings-bad-bio = Teksten om deg er for lang (høyst 500 tegn).
member-settings-bad-language = Velg et språk fra listen.

member-password-title = Passord
member-password-intro = Når du bytter passord, blir du logget ut alle andre steder: andre nettlesere og apper.
member-password-current = Nåværende passord
member-password-new = Nytt passord
member-password-submit = Bytt passord
member-password-wrong = Passordet er ikke riktig.

member-sessions-title = Økter
member-sessions-intro = Nettleserne som er logget inn på kontoen din. Kjenner du ikke igjen en av dem, logg den ut.
member-sessions-started = Logget inn { $when } (UTC)
member-sessions-used = Sist brukt { $day }
member-sessions-this = (denne nettleseren)
member-sessions-revoke = Logg ut denne økten
member-sessions-revoke-others = Logg ut alle andre økter

member-apps-title = Apper
member-apps-none = Ingen apper har tilgang til kontoen din.
member-apps-since = Tillatt { $when } (UTC)
member-apps-scopes = Tilgang:
member-apps-revoke = Fjern tilgangen for { $app }

member-export-title = Dataene dine
member-export-intro = Last ned en kopi av innleggene, profilen og innstillingene dine. Det kan ta noen minutter å gjøre den klar; kom tilbake til denne siden for å laste den ned.
member-export-start = Lag en ny kopi
member-export-pending = Kopien din blir laget.
member-export-ready = Kopien din er klar.
member-export-failed = Det gikk ikke å lage kopien. Prøv igjen.
member-export-download = Last ned dataene dine

member-delete-title = Slett kontoen
member-delete-intro = Dette sletter kontoen din, innleggene dine og alt som hører til, her og på tjenerne vi har varslet. Det kan ikke angres. Brukernavnet ditt blir aldri gitt til noen andre.
member-delete-export-first = Last ned en kopi av dataene dine først
member-delete-password = Passordet ditt
member-delete-submit = Slett kontoen min for godt
member-deleted-title = Kontoen din er slettet
member-deleted-text = Alt som står under, er slettet. Ta vare på denne kvitteringen om du vil ha bevis.
member-deleted-receipt = Kvittering

member-help-title = Hjelp i en krise
member-help-intro = Har du det vanskelig, er disse menneskene der for å lytte.
member-help-none = Dette fellesskapet har ikke lagt inn noen hjelpelinjer ennå.
member-help-phone = Telefon
member-help-text = Tekstmelding
member-help-web = Nettsted
member-help-hours = Åpent
member-help-region = Område
member-help-emergency = Er ditt eller andres liv i fare, ring det lokale nødnummeret nå.

member-profile-posts = Innlegg
member-profile-no-posts = Ingen innlegg du kan se ennå.
member-profile-follow = Følg { $name }
member-profile-unfollow = Slutt å følge { $name }
member-profile-requested = Følgeforespørselen din venter på svar.

member-notifications-title = Varsler
member-notifications-none = Ingen varsler ennå.
member-notification-mention = { $name } nevnte deg.
member-notification-reblog = { $name } delte innlegget ditt.
member-notification-favourite = { $name } likte innlegget ditt.
member-notification-follow = { $name } følger deg nå.
member-notification-follow-request = { $name } ber om å få følge deg.
member-notification-status = { $name } publiserte et innlegg.
member-notification-update = { $name } redigerte et innlegg.
member-notification-sign-up = { $name } registrerte seg.
member-notification-report = En ny rapport har kommet inn.
member-notification-other = Noe nytt fra { $name }.
