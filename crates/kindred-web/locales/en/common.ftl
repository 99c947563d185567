# Shared by every page: the frame, navigation, forms and dates.

skip-to-content = Skip to content
quick-exit = Quick exit
quick-exit-hint = Leaves this site at once for a neutral page. With JavaScript on, pressing Escape twice does the same.
nav-label = Main
nav-home = Home
nav-groups = Groups
nav-meetings = Meetings
nav-notifications = Notifications
nav-settings = Settings
nav-admin = Moderation
nav-help = Help in a crisis
nav-sign-in = Sign in
nav-sign-up = Create an account
nav-sign-out = Sign out
signed-in-as = Signed in as { $name }
footer-about = About this community
footer-rules = Rules
footer-powered = Runs on Kindred, free software for peer-support communities.

form-csrf-expired = This form has expired or did not come from this site. Please try again.
form-error-heading = Please check the form
error-not-found-title = Not found
error-not-found-text = There is nothing here, or you may not see it.
error-forbidden-title = Not allowed
error-forbidden-text = You may not do this.
error-internal-title = Something went wrong
error-internal-text = Please try again later. Nothing you typed was lost: go back to find it.
error-sign-in-needed = Please sign in first.
error-too-many = Too many attempts. Please wait a few minutes and try again.

sign-in-title = Sign in
sign-in-username = Username or email
sign-in-password = Password
sign-in-submit = Sign in
sign-in-failed = That username or email and password do not match.
sign-in-pending = Your account is waiting for approval by the moderators.
sign-in-suspended = This account cannot sign in.
sign-in-forgot = Forgot your password?
sign-in-no-account = No account yet?
sign-out-done = You are signed out.

landing-welcome = Welcome
landing-signed-out = Sign in or create an account to take part.

month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
datetime = { $day } { $month } { $year }, { $time }
date = { $day } { $month } { $year }
