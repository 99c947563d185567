# Member pages: sign-up, home, compose, settings, help.

member-sign-up-title = Create an account
member-sign-up-closed = This community is not taking new sign-ups at the moment.
member-sign-up-approval-mode = The moderators read each request before the account can be used. You will be able to sign in once they have approved it.
member-sign-up-invite-mode = You need an invite code from this community to sign up.
member-sign-up-username = Username
member-sign-up-pseudonym = Choose a pseudonym: please don't use your real name or anything that identifies you. Others see this name.
member-sign-up-password = Password
member-sign-up-password-hint = At least 8 characters. A few words you will remember work well.
member-sign-up-email = Email address (optional)
member-sign-up-email-hint = Only used to reset your password. Nobody else sees it; you can leave it empty.
member-sign-up-invite = Invite code
member-sign-up-reason = Why do you want to join? (optional)
member-sign-up-reason-hint = Only the moderators read this.
member-sign-up-agreement = I have read the rules above and agree to follow them.
member-sign-up-submit = Create my account
member-sign-up-have-account = Already have an account?
member-sign-up-missing = Please choose a username and a password.
member-sign-up-taken = That username cannot be used. Please choose another one.
member-sign-up-bad-username = A username is 1 to 30 letters, digits or underscores (_).
member-sign-up-bad-email = That email address does not look right. You can also leave it empty.
member-sign-up-bad-password = The password must be between 8 and 128 characters.
member-sign-up-bad-invite = That invite code is not valid or has expired.
member-sign-up-agree-first = Please read the rules and tick the box to agree to them.
member-pending-title = Thank you for signing up
member-pending-text = Your request has been sent to the moderators. You can sign in as soon as they have approved your account.
member-pending-help = Need to talk to someone now? Find help here.

member-home-title = Home
member-home-timeline = Your timeline
member-home-empty = Nothing here yet. Follow people or join a group to see their posts.
member-paging = More posts
member-older = Older posts
member-boosted-by = Boosted by { $name }
member-cw = Content warning
member-audience-public = Public
member-audience-unlisted = Unlisted
member-audience-private = Followers only
member-audience-direct = Only people mentioned
member-audience-other = Group

member-compose-title = Write a post
member-compose-cw = Content warning (optional)
member-compose-cw-hint = If you fill this in, others see only these words until they choose to open your post.
member-compose-text = Your post
member-compose-audience = Who can see it
member-compose-language = Language code (for example en or nb)
member-compose-submit = Publish
member-compose-empty = Please write something before publishing.
member-compose-invalid = The post could not be published: it may be too long. Nothing was published.
member-compose-bad-audience = Please choose who can see it from the list.
member-compose-bad-language = A language code is two or three letters, for example en or nb.

member-settings-title = Settings
member-settings-nav = Settings
member-settings-profile = Profile and preferences
member-settings-saved = Saved.
member-settings-display-name = Display name
member-settings-bio = About you
member-settings-audience = Who sees your posts by default
member-settings-language = Language of these pages
member-settings-language-browser = As my browser asks
member-settings-save = Save settings
member-settings-bad-display-name = The display name is too long (at most 30 characters).
member-settings-bad-bio = The text about you is too long (at most 500 characters).
member-settings-bad-language = Please choose a language from the list.

member-password-title = Password
member-password-intro = Changing your password signs you out everywhere else: other browsers and apps.
member-password-current = Current password
member-password-new = New password
member-password-submit = Change password
member-password-wrong = The password is not correct.

member-sessions-title = Sessions
member-sessions-intro = The browsers signed in to your account. If you don't recognise one, sign it out.
member-sessions-started = Signed in { $when } (UTC)
member-sessions-used = Last used { $day }
member-sessions-this = (this browser)
member-sessions-revoke = Sign out this session
member-sessions-revoke-others = Sign out all other sessions

member-apps-title = Apps
member-apps-none = No apps have access to your account.
member-apps-since = Allowed { $when } (UTC)
member-apps-scopes = Access:
member-apps-revoke = Remove access for { $app }

member-export-title = Your data
member-export-intro = Download a copy of your posts, profile and settings. Preparing it can take a few minutes; come back to this page to download it.
member-export-start = Prepare a new copy
member-export-pending = Your copy is being prepared.
member-export-ready = Your copy is ready.
member-export-failed = Preparing your copy failed. Please try again.
member-export-download = Download your data

member-delete-title = Delete account
member-delete-intro = This deletes your account, your posts and everything connected to it, here and on the servers we told. It cannot be undone. Your username will never be given to anyone else.
member-delete-export-first = Download a copy of your data first
member-delete-password = Your password
member-delete-submit = Delete my account for good
member-deleted-title = Your account is deleted
member-deleted-text = Everything listed below has been deleted. Keep this receipt if you want proof.
member-deleted-receipt = Receipt

member-help-title = Help in a crisis
member-help-intro = If you are going through a hard time, these people are there to listen.
member-help-none = This community has not listed any support lines yet.
member-help-phone = Phone
member-help-text = Text message
member-help-web = Website
member-help-hours = Open
member-help-region = Area
member-help-emergency = If your life or someone else's is in danger, call your local emergency number now.

member-profile-posts = Posts
member-profile-no-posts = No posts you can see yet.
member-profile-follow = Follow { $name }
member-profile-unfollow = Unfollow { $name }
member-profile-requested = Your follow request is waiting for an answer.

member-notifications-title = Notifications
member-notifications-none = No notifications yet.
member-notification-mention = { $name } mentioned you.
member-notification-reblog = { $name } boosted your post.
member-notification-favourite = { $name } liked your post.
member-notification-follow = { $name } follows you now.
member-notification-follow-request = { $name } asks to follow you.
member-notification-status = { $name } posted.
member-notification-update = { $name } edited a post.
member-notification-sign-up = { $name } signed up.
member-notification-report = A new report came in.
member-notification-other = Something new from { $name }.
