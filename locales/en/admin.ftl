# The admin UI (templates/admin/*.html, src/views/admin/*.rs, src/http/admin/*.rs).
# Every message may use $site, the deployment's name (the `site_name` setting). Values may hold
# <strong> or <code> markup where the template prints them as HTML; arguments are escaped first.
# Protocol terms stay as they are in every language: grant names (authorization_code,
# client_credentials), scope names, `signing_key`, JWKS, PKCE, HS256/RS256.

## The frame: header, navigation, error pages

admin-label = admin
admin-nav = Admin
admin-dashboard = Dashboard
admin-clients = Clients
admin-users = Users
admin-tokens = Tokens
admin-keys = Keys
admin-throttles = Throttles
admin-audit = Audit log
admin-title = { $site } admin
admin-back = Back to the dashboard
admin-your-account = Your account
admin-your-account-why = (to sign out and sign in as an administrator)
# $fields: the names of the form fields at fault, as the form names them.
error-invalid-fields = Invalid fields: { $fields }

## The one-line notice after a change (shown at the top of the page it leads to)

notice-saved = Changes saved.
notice-enabled = The client is enabled.
notice-disabled = The client is disabled and its refresh tokens are revoked.
notice-deleted = The client is deleted and its refresh tokens are revoked.
notice-created = The user is created.
notice-password = The password is set and the user's refresh tokens are revoked.
notice-revoked = The refresh tokens are revoked.
notice-nothing = There was nothing left to revoke.
notice-rotated = A new key is published; it signs once JWKS caches have had time to learn it.
notice-retired = The key is retired: it is no longer published or accepted.
notice-cleared = The throttle is cleared: that source is checked again at once.
notice-nothing-cleared = There was nothing left to clear.

## Words shared by several pages

status = Status
status-active = active
status-disabled = disabled
status-inactive = inactive
cancel = Cancel
done = Done
save-changes = Save changes
form-correct-fields = Please correct the fields marked below.
separated-by-spaces = Separated by spaces.
server-default = server default
# $example: a duration such as 5m or 1d, kept as typed.
lifetime-placeholder = server default, e.g. { $example }
filter-any = any
filter-apply = Filter
filter-clear = Clear
filter-show = Show
filter-all = All
facts-details = Details
facts-created = Created
facts-last-used = Last used
facts-last-login = Last login
facts-outstanding-tokens = Outstanding tokens
facts-history = History
pager-label = Pages
pager-previous = Previous
pager-next = Next
# $page, $pages and $total are numbers already formatted for the language.
pager-summary = Page { $page } of { $pages } · { $total } in all

## Times, durations: $time is a date and time already formatted for the language (CLDR)

format-utc = { $time } UTC
format-never = never
# $n selects the plural form; $count is the same number formatted for the language.
format-days = { $n ->
    [one] { $count } day
   *[other] { $count } days
}
format-hours = { $n ->
    [one] { $count } hour
   *[other] { $count } hours
}
format-minutes = { $n ->
    [one] { $count } minute
   *[other] { $count } minutes
}
format-seconds = { $n ->
    [one] { $count } second
   *[other] { $count } seconds
}

## Dashboard: each figure's label, below the figure ($n selects the plural form)

dashboard-users = { $n ->
    [one] user
   *[other] users
}
dashboard-clients = { $n ->
    [one] client
   *[other] clients
}
dashboard-families = { $n ->
    [one] active refresh-token family
   *[other] active refresh-token families
}
dashboard-logins = { $n ->
    [one] login in the last 24 hours
   *[other] logins in the last 24 hours
}
dashboard-failures = { $n ->
    [one] failed login in the last 24 hours
   *[other] failed logins in the last 24 hours
}
dashboard-recent = Recent activity
dashboard-recent-none = Nothing has happened yet.
dashboard-whole-audit = The whole audit log
dashboard-signing-key = Signing key
dashboard-next-key = Next key
dashboard-next-key-from = <code>{ $kid }</code>, published; signs from { $time }
dashboard-no-key = No key signs yet.
# $alg: HS256, HS384 or HS512.
dashboard-shared-secret = Access and refresh tokens are signed with the configured { $alg } secret; ID tokens, which relying parties verify against the JWKS, with this key.
dashboard-manage-keys = Manage keys

## Audit log

audit-action = Action
audit-actor = Actor
audit-actor-placeholder = username or system
audit-target = Target
audit-none = No events.
audit-when = When
audit-from = From
audit-details = Details
# $category: client, user, login, token, key, ... (the action's prefix, kept as is).
audit-category = all { $category } events

## Clients: the list, the form, the secret, deleting

clients-new = New client
clients-none = No clients yet. A client is an application that may ask { $site } for tokens.
client-name = Name
client-id = Client id
client-id-placeholder = generated when empty
client-kind = Kind
# A client's kind in the list and its details.
kind-confidential = confidential
kind-public = public
client-kind-confidential = Confidential
client-kind-confidential-help = (a server that keeps a secret)
client-kind-public = Public
client-kind-public-help = (browser or mobile app; PKCE, no secret)
client-grants = Grants
client-first-party-badge = first party
client-legacy = legacy
client-allowed-grants = Allowed grants
grant-authorization-code = Authorization code
grant-authorization-code-help = (with PKCE; the recommended flow)
grant-refresh-token = Refresh token
grant-client-credentials = Client credentials
grant-client-credentials-help = (service to service)
grant-password = Password
grant-password-help = (RFC 9700 forbids it; only for first-party apps that cannot redirect)
client-redirect-uris = Redirect URIs
client-redirect-uris-help = One per line; matched exactly. https, or http for 127.0.0.1, [::1] and localhost; no #fragment.
client-post-logout-uris = Post-logout redirect URIs
client-scopes = Scopes
client-audience = Audience
client-access-lifetime = Access token lifetime
client-refresh-lifetime = Refresh token lifetime
client-logo-uri = Logo URI
client-logo-uri-help = An https URL of the app's logo, shown on the consent page. Optional.
client-first-party = First party
client-first-party-help = (your own app: no consent screen)
client-create = Create client
client-secret = Client secret
client-rotate-help = A new secret replaces the current one at once; the app stops working until it has the new one.
client-rotate = Rotate secret
client-access = Access
client-revoke-all = Revoke all refresh tokens
client-disable = Disable client
client-disable-help = It can no longer authenticate; its refresh tokens are revoked.
client-enable = Enable client
client-delete-ellipsis = Delete client…
client-delete = Delete client
client-delete-title = Delete { $name }
client-delete-heading = Delete { $name }?
client-delete-warning = The client <code>{ $client_id }</code> will be deleted and every refresh token issued to it revoked. Apps using it stop working at once. This cannot be undone; to stop it for a while, disable it instead.
guide-title = Which settings?
guide-web = A web app with a server
guide-web-how = Confidential; authorization code and refresh token; its callback as redirect URI.
guide-spa = A single-page or mobile app
guide-spa-how = Public; authorization code (PKCE is required) and refresh token.
guide-service = A service calling an API
guide-service-how = Confidential; client credentials only. No redirect URI.
guide-legacy = Your own legacy front end
guide-legacy-how = Confidential and first party; password grant only if it cannot redirect to the login page.
secret-title = Client credentials
secret-rotated-heading = New secret for { $name }
secret-registered-heading = { $name } is registered
secret-copy-now = Copy the secret now. It is shown this once: { $site } keeps only its hash. If it is lost, rotate it.
secret-public = A public client has no secret: it proves itself with PKCE.

## Users

users-new = New user
users-search-placeholder = Username, email or phone
users-search-label = Search users
users-search = Search
users-none = No users yet.
users-no-match = No user matches “{ $search }”.
user-username = Username
user-name = Name
user-display-name = Display name
user-email = Email
user-phone = Phone
user-roles = Roles
user-roles-help = Separated by spaces. <code>admin</code> opens this admin UI.
user-password = Password
user-password-help = At least 8 characters, not only digits, not the username.
user-active = Active
user-active-help = (an inactive user cannot sign in; deactivating revokes their refresh tokens)
user-create = Create user
user-id = Id
user-password-set = Password set
user-reset-password = Reset password
user-new-password = New password
user-reset-revokes = Their refresh tokens are revoked.
user-set-password = Set password
user-sessions = Sessions
user-sessions-help = Signs the user out of every app: their refresh tokens stop working.
user-revoke-all = Revoke all tokens

## Refresh tokens

tokens-title = Refresh tokens
tokens-user = User
tokens-user-placeholder = username
tokens-client = Client
tokens-scope = Scope
tokens-signed-in = Signed in
tokens-last-refreshed = Last refreshed
tokens-expires = Expires
tokens-revoke = Revoke
tokens-none = No outstanding refresh tokens.
# $limit: a number already formatted for the language.
tokens-limit = Showing the { $limit } most recently used families.
tokens-all = All signed-in sessions
tokens-no-user = No user is named { $user }
tokens-of-user = Signed-in sessions of { $user }
tokens-revoke-user = Revoke all of { $user }'s tokens
tokens-of-client = Signed-in sessions through { $client }
tokens-revoke-client = Revoke all of this client's tokens

## Signing keys

keys-title = Signing keys
keys-rotate = Rotate key
keys-shared-secret = Access and refresh tokens are signed with the configured { $alg } secret; rotate it by changing <code>signing_key</code>. ID tokens are signed with the keys below, which relying parties verify against the JWKS.
# $ahead: a duration in words ("5 minutes").
keys-rotate-help = Rotating adds a new { $alg } key. It is published in the JWKS at once and signs { $ahead } later, once relying parties and resource servers have had time to learn it. A key can be retired once every token it signed has expired.
keys-kid = Key id
keys-algorithm = Algorithm
keys-signs-from = Signs from
keys-retire-column = Retire
keys-retire = Retire
key-status-active = active
key-status-published = published
key-status-retired = retired
keys-note-signs = signs new tokens
keys-note-until = tokens valid until { $time }

## Login throttles

throttles-title = Login throttles
throttles-help = Failed sign-ins of the last 24 hours, by account and by source. A source waits after 5 failures on an account, 1 second doubling up to 15 minutes; other sources, the owner's among them, are not held up. Clearing forgets one source's failures on one account.
throttles-none = No failed sign-ins.
throttles-account = Account
throttles-source = Source
throttles-failures = Failures
throttles-latest = Latest
throttles-waiting = Waiting
throttles-limit = Showing the { $limit } most recent.
# $name: the name someone typed that matches no account.
throttles-no-account = { $name } (no such account)
throttles-unknown-address = unknown address
throttles-known-browser = a browser that signed in before, at { $address }
throttles-not-waiting = no
throttles-clear = Clear

## Why a form field was refused (shown under the field). $uri, $grant, $role: as typed.

problem-required = This field is required.
problem-name-required = a name is required
problem-username-required = a username is required
problem-too-long = at most { $max } characters
problem-uri-not-absolute = `{ $uri }` is not an absolute URI
problem-uri-fragment = `{ $uri }` must not have a fragment (#...)
problem-uri-scheme = `{ $uri }` must use https (http only for 127.0.0.1, [::1] or localhost; a native app's private-use scheme is a reverse domain name such as com.example.app:/callback)
problem-uri-private-confidential = `{ $uri }`: private-use schemes are for public clients (native apps) only
problem-uri-private-authority = `{ $uri }`: a private-use scheme is followed by a single slash, as com.example.app:/callback
problem-redirect-uri-needed = the authorization-code grant needs at least one redirect URI
problem-scope-syntax = scopes are printable ASCII without quotes or backslashes
problem-audience = one audience, without spaces, at most 200 characters
problem-lifetime-range = between 1 second and 366 days
problem-lifetime-syntax = a duration such as 15m, 12h or 30d
problem-client-id-reserved = `new` is reserved
problem-client-id-syntax = letters, digits and - . _ ~ only, at most 64 characters
problem-kind = confidential or public
problem-unknown-grant = unknown grant `{ $grant }`
problem-no-grant = choose at least one grant
problem-public-client-grant = public clients may not use the password or client-credentials grant
problem-client-id-taken = this client id is taken
problem-taken = already belongs to another user
problem-email = an address such as name@example.com
problem-phone = digits, optionally starting with + and separated by spaces, dashes or parentheses, such as +86 138 0013 8000
problem-role = `{ $role }`: lowercase letters, digits and _ - . : only
problem-username = letters, digits and @ . + - _ only, at most 150 characters
problem-own-admin-role = you cannot remove your own admin role
problem-own-deactivation = you cannot deactivate yourself
problem-logo-uri = an https URL, such as https://app.example.com/logo.png
# Django's password validators, worded as Django words them. $attribute: one of the attribute-*
# messages; $n selects the plural form, $count is the number formatted.
problem-password-similar = The password is too similar to the { $attribute }.
problem-password-short = { $n ->
    [one] This password is too short. It must contain at least { $count } character.
   *[other] This password is too short. It must contain at least { $count } characters.
}
problem-password-common = This password is too common.
problem-password-numeric = This password is entirely numeric.
attribute-username = username
attribute-email = email address

## Why an action was refused as a whole (the page after a button)

refusal-duplicate-client = duplicate client
refusal-no-secret = a public client has no secret to rotate
refusal-shared-secret = { $alg } tokens are signed with the configured signing_key; change that setting instead
refusal-key-retired = the key is already retired
refusal-key-signs = the key signs new tokens; rotate to a new key first
refusal-key-in-use = tokens signed by this key are valid until { $time }; retire it after that
