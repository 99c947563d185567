# The moderators' and admins' pages (/admin).

admin-nav-label = Moderation
admin-overview-title = Moderation overview
admin-overview-reports = { $more ->
    [more] { $count } or more reports are waiting
   *[exact] { $count ->
        [0] No reports are waiting
        [one] One report is waiting
       *[other] { $count } reports are waiting
    }
}
admin-overview-reports-link = Open the reports
admin-overview-sign-ups = { $more ->
    [more] { $count } or more sign-ups are waiting for approval
   *[exact] { $count ->
        [0] No sign-ups are waiting for approval
        [one] One sign-up is waiting for approval
       *[other] { $count } sign-ups are waiting for approval
    }
}
admin-overview-sign-ups-link = Open the sign-ups
admin-refused = This could not be done: { $reason }
admin-all = All
admin-none = None
admin-nobody = Nobody
admin-yes = Yes
admin-save = Save
admin-filter = Show
admin-older = Older entries

admin-reports-title = Reports
admin-reports-open = Open reports
admin-reports-resolved = Resolved reports
admin-reports-show-open = Show open reports
admin-reports-show-resolved = Show resolved reports
admin-reports-none = No reports here.
admin-report-number = Report
admin-report-link = Report { $id }
admin-report-title = Report { $id }
admin-report-target = Reported account
admin-report-reporter = Reported by
admin-report-from-server = A moderator of { $domain }
admin-report-filed = Filed
admin-report-status = State
admin-report-is-open = Open
admin-report-is-resolved = Resolved
admin-report-assigned = Assigned to
admin-report-category = Category
admin-report-rules = Rules broken
admin-report-comment = Comment
admin-report-forwarded = Forwarded to the other server
admin-report-posts = Reported posts
admin-report-no-posts = The report names no posts, or they were removed.
admin-report-remove-post = Remove this post
admin-report-steps = What to do
admin-report-assign = Assign to me
admin-report-unassign = Unassign
admin-report-resolve = Mark as resolved
admin-report-reopen = Reopen
admin-report-classify = Category and rules
admin-report-history = History
admin-report-groups = Groups it reaches
admin-report-group-done = their facilitators are done
admin-report-group-waiting = waiting for their facilitators
admin-post-warning = Content warning:
admin-error-no-post = Choose a post to remove.
admin-category-spam = Spam
admin-category-legal = Illegal content
admin-category-violation = Breaks the rules
admin-category-other = Other
admin-visibility-public = Public
admin-visibility-unlisted = Unlisted
admin-visibility-private = Followers only
admin-visibility-direct = Direct message
admin-visibility-group = Group
admin-step-remove_post = Post removed
admin-step-hide_post = Post hidden here
admin-step-mute = Muted in a group
admin-step-ban = Banned from a group
admin-step-done = A group's part done
admin-step-assign = Assigned
admin-step-unassign = Unassigned
admin-step-resolve = Resolved
admin-step-reopen = Reopened
admin-step-update = Category or rules changed

admin-action-heading = Act on { $name }
admin-action-type = What to do
admin-action-none = Warn only
admin-action-sensitive = Mark their media as sensitive
admin-action-disable = Disable their login
admin-action-silence = Limit (silence) the account
admin-action-suspend = Suspend the account
admin-action-text = Message to the member
admin-action-text-hint = They read it with the warning. Do not name who reported them.
admin-action-resolve-too = Also mark the report as resolved
admin-action-submit = Carry out

admin-accounts-title = Accounts
admin-accounts-origin = Where
admin-accounts-local = On this server
admin-accounts-remote = On other servers
admin-accounts-status = State
admin-accounts-search = Username
admin-accounts-none = No accounts match.
admin-account-name = Account
admin-account-display-name = Display name
admin-account-role = Role
admin-account-state = State
admin-account-joined = Joined
admin-account-reason = Reason given at sign-up
admin-account-actions = Actions
admin-account-reports = Reports about this account
admin-account-history = History
admin-state-pending = Waiting for approval
admin-state-active = Active
admin-state-suspended = Suspended
admin-state-silenced = Limited
admin-state-disabled = Login disabled
admin-state-sensitized = Media marked sensitive
admin-role-member = Member
admin-role-facilitator = Facilitator
admin-role-moderator = Moderator
admin-role-admin = Admin
admin-role-group = Group
admin-role-heading = Change the role
admin-role-submit = Change role
admin-undo-unsuspend = Lift the suspension
admin-undo-unsilence = Lift the limit
admin-undo-enable = Enable the login again
admin-undo-unsensitive = Stop marking media sensitive
admin-purge-heading = Delete everything of this account
admin-purge-hint = Its posts, messages and profile are erased for good. This cannot be undone.
admin-purge-confirm = I understand this cannot be undone
admin-purge-submit = Delete for good
admin-purge-unconfirmed = Tick the box to confirm the deletion.
admin-sign-up-waiting = This sign-up is waiting for approval
admin-approve = Approve
admin-reject = Reject
admin-approve-named = Approve { $name }
admin-reject-named = Reject { $name }

admin-sign-ups-title = Sign-ups waiting
admin-sign-ups-none = Nobody is waiting for approval.
admin-invites-title = Invites
admin-invite-new = Make an invite
admin-invite-max-uses = How many people may use it
admin-invite-max-uses-hint = Leave empty for no limit.
admin-invite-expires = Valid for how many days
admin-invite-expires-hint = Leave empty for no end date.
admin-invite-create = Make invite
admin-invite-created = The new invite code:
admin-invite-once = Copy it now: it is shown only this once.
admin-invite-bad-uses = The number of uses must be a whole number from 1 to 1000.
admin-invite-bad-days = The number of days must be a whole number from 1 to 365.
admin-invites-list = Invites made
admin-invite-made = Made
admin-invite-uses = Used
admin-invite-expiry = Ends
admin-invite-state = State
admin-invite-never = Never
admin-invite-usable = Valid
admin-invite-ended = Ended
admin-invite-revoke = Revoke

admin-audit-title = Audit log
admin-audit-kind = Kind
admin-audit-kind-hint = For example account.suspend, or federation. for every federation change.
admin-audit-actor = Done by (username)
admin-audit-no-such-actor = There is no local account with that username.
admin-audit-none = No entries.
admin-audit-when = When
admin-audit-who = Who
admin-audit-target = Concerning
admin-audit-change = Change

admin-federation-title = Federation
admin-fed-mode = Who this server talks to
admin-fed-mode-open = Every server that is not blocked
admin-fed-mode-allowlist = Only the partners listed below
admin-fed-blocks = Blocked servers
admin-fed-block-new = Block a server
admin-fed-domain = Domain
admin-fed-severity = Severity
admin-fed-severity-suspend = Suspend: nothing is exchanged
admin-fed-severity-silence = Limit: kept out of public places
admin-fed-severity-noop = No limit (only the options below)
admin-fed-reject-media = Refuse its media
admin-fed-reject-reports = Refuse its reports
admin-fed-obfuscate = Hide the domain's name in the public list
admin-fed-public-comment = Public comment
admin-fed-public-comment-hint = Shown in the public list of blocked servers.
admin-fed-private-comment = Private comment
admin-fed-private-comment-hint = Only moderators see it.
admin-fed-block-submit = Block
admin-fed-unblock = Lift the block
admin-fed-partners = Partners
admin-fed-partners-hint = In allow-list mode only partners are talked to, and only about what is ticked.
admin-fed-partner-new = Add a partner
admin-fed-scopes = What may be exchanged
admin-fed-scope-follows = Follows
admin-fed-scope-announcements = Posts and announcements
admin-fed-scope-meetings = Meetings
admin-fed-scope-rsvps = Answers to meetings
admin-fed-scope-reports = Reports
admin-fed-scope-direct = Direct messages
admin-fed-no-scope = Tick at least one thing a partner may exchange.
admin-fed-partner-submit = Add partner
admin-fed-partner-remove = Remove partner
admin-fed-directory = Meeting directory
admin-fed-directory-hint = Partners whose public meetings are listed here.
admin-fed-sub-requested = Asked, waiting for an answer
admin-fed-sub-accepted = Listed
admin-fed-sub-rejected = Refused by the partner
admin-fed-subscribe = List their meetings
admin-fed-unsubscribe = Stop listing their meetings
admin-fed-subscribers = Partners listing our meetings

admin-announcements-title = Announcements
admin-announcements-list = Announcements made
admin-announcement = Announcement
admin-announcement-new = New announcement
admin-announcement-text = Text
admin-announcement-starts = First day (optional)
admin-announcement-ends = Last day (optional)
admin-announcement-publish = Published: members see it
admin-announcement-published = Published
admin-announcement-draft = Draft, not shown to members
admin-announcement-create = Create announcement
admin-announcement-delete = Delete this announcement

admin-crisis-title = Crisis resources
admin-crisis-hint = Shown on every page under "Help in a crisis" and in the gentle notice.
admin-crisis-new = Add a resource
admin-crisis-name = Name
admin-crisis-phone = Phone
admin-crisis-text = Text message number
admin-crisis-url = Web address
admin-crisis-hours = Opening hours
admin-crisis-region = Region
admin-crisis-language = Language
admin-crisis-position = Position in the list
admin-crisis-add = Add resource
admin-crisis-delete = Remove this resource
admin-crisis-bad-position = The position must be a whole number.
