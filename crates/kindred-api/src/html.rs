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
                label for="username" { "Username or email" }
                input type="text" id="username" name="username" value=(form.username) autocomplete="username" autocapitalize="none" required;
                label for="password" { "Password" }
                input type="password" id="password" name="password" autocomplete="current-password" required;
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
