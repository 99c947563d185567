//! Server-rendered pages. maud escapes every interpolated value, so nothing an app or
//! a member typed can become markup. The pages work without JavaScript.

use maud::{html, Markup, DOCTYPE};

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}\
label{display:block;margin-top:.8rem}input[type=text],input[type=password]{width:100%;padding:.5rem;font-size:1rem}\
button{margin-top:1rem;margin-right:.5rem;padding:.5rem 1rem;font-size:1rem}.error{color:#a00}code{font-size:1.2rem;word-break:break-all}";

pub fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow";
                title { (title) }
                style { (maud::PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
}

/// Everything the authorization form carries between GET and POST.
pub struct AuthorizeForm<'a> {
    pub instance_name: &'a str,
    pub app_name: &'a str,
    pub app_website: Option<&'a str>,
    pub scopes: Vec<String>,
    pub hidden: Vec<(&'static str, String)>,
    pub csrf_token: &'a str,
    pub username: &'a str,
    /// The member signed in to the portal here: no credentials are asked for.
    pub signed_in: Option<&'a str>,
    pub error: Option<&'a str>,
}

pub fn authorize(form: &AuthorizeForm<'_>) -> Markup {
    page(
        &format!("Authorize {} – {}", form.app_name, form.instance_name),
        html! {
            h1 { (form.instance_name) }
            p { "The app " strong { (form.app_name) } " wants to use your account." }
            @if let Some(site) = form.app_website {
                p { "App website: " (site) }
            }
            p { "It asks for these permissions:" }
            ul { @for s in &form.scopes { li { code { (s) } } } }
            @if let Some(err) = form.error {
                p class="error" role="alert" { (err) }
            }
            form method="post" action="/oauth/authorize" {
                @for (name, value) in &form.hidden {
                    input type="hidden" name=(name) value=(value);
                }
                input type="hidden" name="csrf_token" value=(form.csrf_token);
                @if let Some(name) = form.signed_in {
                    p { "You are signed in as " strong { (name) } ". Authorize " (form.app_name) "?" }
                } @else {
                    label for="username" { "Username or email" }
                    input type="text" id="username" name="username" value=(form.username) autocomplete="username" autocapitalize="none" required;
                    label for="password" { "Password" }
                    input type="password" id="password" name="password" autocomplete="current-password" required;
                }
                button type="submit" name="decision" value="approve" { "Authorize" }
                button type="submit" name="decision" value="deny" formnovalidate { "Deny" }
            }
        },
    )
}

pub fn authorization_code(instance_name: &str, code: &str) -> Markup {
    page(
        &format!("Authorization code – {instance_name}"),
        html! {
            h1 { (instance_name) }
            p { "Copy this authorization code and paste it into the app:" }
            p { code id="authorization-code" { (code) } }
        },
    )
}

pub fn message(title: &str, text: &str) -> Markup {
    page(title, html! { h1 { (title) } p { (text) } })
}

pub fn landing(instance_name: &str, description: &str, domain: &str) -> Markup {
    page(
        instance_name,
        html! {
            h1 { (instance_name) }
            p { (description) }
            p { "This is a Kindred peer-support community at " (domain) ". Use any Mastodon app to sign in." }
        },
    )
}

pub fn profile(display_name: &str, username: &str, domain: &str, note_html: &str) -> Markup {
    let shown = if display_name.is_empty() {
        username
    } else {
        display_name
    };
    page(
        &format!("{shown} (@{username}@{domain})"),
        html! {
            h1 { (shown) }
            p { "@" (username) "@" (domain) }
            // note_html is built by plain_text_to_html, which escapes everything.
            div { (maud::PreEscaped(note_html)) }
        },
    )
}

/// `/auth/password/reset`: ask for a reset link by email. `sent` shows the one
/// answer given whether or not the address is known.
pub fn reset_request(
    instance_name: &str,
    csrf_token: &str,
    email_enabled: bool,
    sent: bool,
) -> Markup {
    page(
        &format!("Reset your password – {instance_name}"),
        html! {
            h1 { (instance_name) }
            h2 { "Reset your password" }
            @if !email_enabled {
                p { "This community does not send email. Please ask its administrators to reset your password." }
            } @else if sent {
                p role="status" { "If an account here uses that address, a message with a link to choose a new password is on its way. The link works for an hour." }
            } @else {
                p { "Enter the email address of your account. We will send a link to choose a new password." }
                form method="post" action="/auth/password/reset" {
                    input type="hidden" name="csrf_token" value=(csrf_token);
                    label for="email" { "Email address" }
                    input type="email" id="email" name="email" autocomplete="email" autocapitalize="none" required;
                    button type="submit" { "Send the link" }
                }
            }
        },
    )
}

/// The emailed link's page: choose a new password.
pub fn reset_form(
    instance_name: &str,
    action: &str,
    csrf_token: &str,
    error: Option<&str>,
) -> Markup {
    page(
        &format!("Choose a new password – {instance_name}"),
        html! {
            h1 { (instance_name) }
            h2 { "Choose a new password" }
            @if let Some(err) = error {
                p class="error" role="alert" { (err) }
            }
            form method="post" action=(action) {
                input type="hidden" name="csrf_token" value=(csrf_token);
                label for="password" { "New password" }
                input type="password" id="password" name="password" autocomplete="new-password" minlength="8" required;
                button type="submit" { "Set the new password" }
            }
            p { "Setting a new password signs you out of every app." }
        },
    )
}

/// The confirmation link's page: one button, so that a mail scanner opening the
/// link confirms nothing.
pub fn confirm_form(instance_name: &str, action: &str, csrf_token: &str) -> Markup {
    page(
        &format!("Confirm your email address – {instance_name}"),
        html! {
            h1 { (instance_name) }
            h2 { "Confirm your email address" }
            form method="post" action=(action) {
                input type="hidden" name="csrf_token" value=(csrf_token);
                button type="submit" { "Confirm" }
            }
        },
    )
}
