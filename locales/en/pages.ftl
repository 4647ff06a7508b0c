# The public pages: login, consent, logout, signed in, errors (src/views.rs, templates/*.html).
# Values may hold <strong> markup; every argument is HTML-escaped before it is placed.
# $site is the deployment's name (the `site_name` setting, "Sesame" by default).

# This language's own name, on the login page's language switch.
language-name = English

login-title = Sign in
login-heading = Sign in to { $site }
login-continue-to = to continue to <strong>{ $client }</strong>
login-signed-in-as = You are signed in as <strong>{ $account }</strong>.
login-continue-as = Continue as { $account }
login-other-account = Or sign in with another account:
login-identifier = Username, email or phone
login-password = Password
login-submit = Sign in
login-language = Language:
login-form-expired = This form has expired. Please sign in again.
login-incomplete = Enter your username, email or phone, and your password.
login-refused = The username or password is incorrect.

# A throttled login: $reason is one of the throttle-* messages, $seconds a whole number.
throttled = { $reason }. Try again in { $seconds } seconds.
throttle-source = Too many failed login attempts for this account from this client
throttle-address = Too many failed login attempts from this network address
throttle-account = Too many failed login attempts for this account from many addresses

signed-in-title = Signed in
signed-in-heading = You are signed in
signed-in-as = as <strong>{ $user }</strong>
sign-out = Sign out

consent-title = Allow { $client }?
consent-heading = <strong>{ $client }</strong> wants to use your { $site } account
consent-signed-in-as = Signed in as <strong>{ $user }</strong>
consent-can = If you allow it, { $client } can:
consent-deny = Deny
consent-allow = Allow
scope-openid = Know who you are on { $site }
scope-profile = See your name, username and picture
scope-email = See your email address
scope-phone = See your phone number
scope-offline_access = Keep access while you are away
scope-other = Use the “{ $scope }” permission

logout-title = Sign out?
logout-heading = Sign out of { $site }?
logout-client-asks = <strong>{ $client }</strong> asks to sign <strong>{ $user }</strong> out.
logout-signed-in-as = You are signed in as <strong>{ $user }</strong>.
signed-out-title = Signed out
signed-out-message = You are signed out of { $site }. You can close this window.

error-hint = If an application sent you here, go back to it and try again.
error-unavailable-title = Temporarily unavailable
error-unavailable = { $site } cannot reach its database right now. Try again in a few seconds.
error-wrong-title = Something went wrong
error-internal = { $site } could not complete this request. Please try again in a moment.
error-admin-internal = The change could not be made. Try again; if it keeps failing, see the server log.
error-cannot-title = This request cannot be completed
error-form-title = This form could not be read
error-query = The query string is invalid: { $reason }
error-csrf-title = This form has expired
error-csrf = The form was not sent from this session. Go back, reload the page and try again.
error-admin-csrf-title = Form expired
error-admin-csrf = The form was not sent from this admin session. Go back, reload the page and try again.
error-bad-request-title = Bad request
error-not-found-title = Not found
error-not-found = There is nothing here; it may have been deleted.
error-not-admin-title = Administrators only
error-not-admin = You are signed in as { $user }, who is not an administrator.
error-refused-title = Not done
error-throttled-title = Too many attempts

# Why a form or query string could not be read. $name: a parameter's name, as sent.
form-content-type = The form must be sent as application/x-www-form-urlencoded.
form-too-large = The form is too large.
form-unreadable = The form could not be read.
form-malformed = The form is not valid form data.
form-repeated = The parameter “{ $name }” is repeated.
form-nul-character = The parameter “{ $name }” contains a NUL character, which no value may hold.
