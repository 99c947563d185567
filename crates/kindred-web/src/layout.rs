//! The frame around every page: language, skip link, quick exit, navigation, the
//! crisis link and the footer. No inline script or style (the CSP forbids both):
//! one stylesheet and one small script, both from our own origin.

use maud::{html, Markup, DOCTYPE};

use crate::i18n::{tr, Lang};

/// What the frame needs to know about the request.
#[derive(Clone)]
pub struct Frame {
    pub lang: Lang,
    pub instance_name: String,
    pub quick_exit_url: String,
    /// The signed-in member's name, if any.
    pub viewer: Option<String>,
    pub may_moderate: bool,
    pub csrf_token: String,
}

/// A whole page. `title` names the page; the instance name follows it.
pub fn page(frame: &Frame, title: &str, body: Markup) -> Markup {
    let l = frame.lang;
    html! {
        (DOCTYPE)
        html lang=(l.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow";
                meta name="referrer" content="same-origin";
                title { (title) " – " (frame.instance_name) }
                link rel="stylesheet" href=(crate::assets::CSS_PATH);
                script src=(crate::assets::JS_PATH) defer {}
            }
            body {
                a class="skip-link" href="#main" { (tr(l, "skip-to-content")) }
                header class="site-header" {
                    a class="quick-exit" id="quick-exit" href=(frame.quick_exit_url)
                        rel="noreferrer" title=(tr(l, "quick-exit-hint")) {
                        (tr(l, "quick-exit"))
                    }
                    a class="site-name" href="/" { (frame.instance_name) }
                    nav aria-label=(tr(l, "nav-label")) {
                        ul {
                            @if frame.viewer.is_some() {
                                li { a href="/home" { (tr(l, "nav-home")) } }
                            }
                            li { a href="/groups" { (tr(l, "nav-groups")) } }
                            li { a href="/meetings" { (tr(l, "nav-meetings")) } }
                            @if frame.viewer.is_some() {
                                li { a href="/notifications" { (tr(l, "nav-notifications")) } }
                                li { a href="/settings" { (tr(l, "nav-settings")) } }
                            }
                            @if frame.may_moderate {
                                li { a href="/admin" { (tr(l, "nav-admin")) } }
                            }
                            li { a href="/help" { (tr(l, "nav-help")) } }
                        }
                    }
                    div class="session" {
                        @if let Some(name) = &frame.viewer {
                            span class="signed-in" {
                                (crate::i18n::tr_args(l, "signed-in-as", &[("name", name.clone().into())]))
                            }
                            form method="post" action="/auth/sign_out" class="inline" {
                                input type="hidden" name="csrf_token" value=(frame.csrf_token);
                                button type="submit" { (tr(l, "nav-sign-out")) }
                            }
                        } @else {
                            a href="/auth/sign_in" { (tr(l, "nav-sign-in")) }
                            " "
                            a href="/auth/sign_up" { (tr(l, "nav-sign-up")) }
                        }
                    }
                }
                main id="main" tabindex="-1" { (body) }
                footer class="site-footer" {
                    p {
                        a href="/about" { (tr(l, "footer-about")) }
                        " · "
                        a href="/about#rules" { (tr(l, "footer-rules")) }
                        " · "
                        a href="/help" { (tr(l, "nav-help")) }
                    }
                    p { (tr(l, "footer-powered")) }
                }
            }
        }
    }
}

/// A form's hidden CSRF field.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf_token" value=(token); }
}

/// A list of problems at the top of a form, announced to screen readers.
pub fn form_errors(lang: Lang, errors: &[String]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div class="form-errors" role="alert" tabindex="-1" id="form-errors" {
                h2 { (tr(lang, "form-error-heading")) }
                ul { @for e in errors { li { (e) } } }
            }
        }
    }
}
