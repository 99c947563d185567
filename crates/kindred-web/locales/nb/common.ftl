# Felles for alle sider: rammen, navigasjon, skjema og datoer.

skip-to-content = Hopp til innholdet
quick-exit = Rask utgang
quick-exit-hint = Forlater nettstedet straks til en nøytral side. Med JavaScript påslått gjør to trykk på Escape det samme.
nav-label = Hovedmeny
nav-home = Hjem
nav-groups = Grupper
nav-meetings = Møter
nav-notifications = Varsler
nav-settings = Innstillinger
nav-admin = Moderering
nav-help = Hjelp i en krise
nav-sign-in = Logg inn
nav-sign-up = Opprett konto
nav-sign-out = Logg ut
signed-in-as = Logget inn som { $name }
footer-about = Om dette fellesskapet
footer-rules = Regler
footer-powered = Drives med Kindred, fri programvare for likepersonsfellesskap.

form-csrf-expired = Skjemaet er utløpt eller kom ikke fra dette nettstedet. Prøv igjen.
form-error-heading = Se over skjemaet
error-not-found-title = Ikke funnet
error-not-found-text = Det finnes ingenting her, eller du har ikke tilgang til det.
error-forbidden-title = Ikke tillatt
error-forbidden-text = Du har ikke lov til å gjøre dette.
error-internal-title = Noe gikk galt
error-internal-text = Prøv igjen senere. Det du skrev er ikke tapt: gå tilbake for å finne det.
error-sign-in-needed = Logg inn først.
error-too-many = For mange forsøk. Vent noen minutter og prøv igjen.

sign-in-title = Logg inn
sign-in-username = Brukernavn eller e-post
sign-in-password = Passord
sign-in-submit = Logg inn
sign-in-failed = Brukernavnet eller e-posten og passordet passer ikke sammen.
sign-in-pending = Kontoen din venter på godkjenning fra moderatorene.
sign-in-suspended = Denne kontoen kan ikke logge inn.
sign-in-forgot = Glemt passordet?
sign-in-no-account = Har du ingen konto ennå?
sign-out-done = Du er logget ut.

landing-welcome = Velkommen
landing-signed-out = Logg inn eller opprett en konto for å være med.

month-1 = januar
month-2 = februar
month-3 = mars
month-4 = april
month-5 = mai
month-6 = juni
month-7 = juli
month-8 = august
month-9 = september
month-10 = oktober
month-11 = november
month-12 = desember
datetime = { $day }. { $month } { $year } kl. { $time }
date = { $day }. { $month } { $year }
