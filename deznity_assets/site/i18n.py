"""User-interface strings of the rendered sites, in every supported language (en, es)."""

from __future__ import annotations

UI_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "skip": "Skip to content",
        "main_nav": "Main navigation",
        "home": "Home",
        "footer_nav": "Footer navigation",
        "rights": "All rights reserved.",
        "made_by": "Site built by Deznity.",
        "serving": "Serving",
        "name": "Name",
        "email": "Email",
        "phone": "Phone",
        "date": "Date",
        "time": "Time",
        "party_size": "Party size",
        "notes": "Notes",
        "company": "Company",
        "message": "Message",
        "address": "Shipping address",
        "reserve": "Request a reservation",
        "send": "Send message",
        "add_to_cart": "Add to cart",
        "checkout": "Place order",
        "checkout_heading": "Checkout",
        "item": "Item",
        "price": "Price",
        "quantity": "Quantity",
        "newsletter": "Newsletter",
        "newsletter_intro": "News and offers, once a month. No spam.",
        "subscribe": "Subscribe",
        "read_more": "Read more",
        "back_to_blog": "Back to the blog",
        "not_found_title": "Page not found",
        "not_found_text": "The page you are looking for does not exist or has moved.",
        "back_home": "Go to the home page",
        "step": "Step",
        "required": "required",
        "optional": "optional",
        "contact": "Contact",
        "product_image": "Illustration of",
        "honeypot": "Leave this field empty",
        "thanks_title": "Thank you",
        "thanks_text": "Thank you for writing to us. We have received your message and will get back to you very soon.",
        "form_errors_title": "Please check the form",
        "form_errors_intro": "Some fields need your attention:",
        "err_required": "is required.",
        "err_email": "must be an e-mail address such as name@example.com.",
        "err_too_long": "is too long (at most {max} characters).",
        "err_number": "must be a whole number from {min} to {max}.",
        "err_date": "must be a date from today to {max}.",
        "err_time": "must be a time such as 19:30.",
        "err_phone": "must be a phone number with at least 5 digits.",
        "err_characters": "contains characters that cannot be accepted; type it again.",
        "err_choice": "is not one of the choices.",
        "product": "Product",
    },
    "es": {
        "skip": "Saltar al contenido",
        "main_nav": "Navegación principal",
        "home": "Inicio",
        "footer_nav": "Navegación del pie de página",
        "rights": "Todos los derechos reservados.",
        "made_by": "Sitio creado por Deznity.",
        "serving": "Atendemos",
        "name": "Nombre",
        "email": "Correo electrónico",
        "phone": "Teléfono",
        "date": "Fecha",
        "time": "Hora",
        "party_size": "Número de personas",
        "notes": "Notas",
        "company": "Empresa",
        "message": "Mensaje",
        "address": "Dirección de envío",
        "reserve": "Solicitar reservación",
        "send": "Enviar mensaje",
        "add_to_cart": "Añadir al carrito",
        "checkout": "Realizar pedido",
        "checkout_heading": "Finalizar compra",
        "item": "Artículo",
        "price": "Precio",
        "quantity": "Cantidad",
        "newsletter": "Boletín",
        "newsletter_intro": "Novedades y ofertas, una vez al mes. Sin spam.",
        "subscribe": "Suscribirme",
        "read_more": "Leer más",
        "back_to_blog": "Volver al blog",
        "not_found_title": "Página no encontrada",
        "not_found_text": "La página que buscas no existe o se ha movido.",
        "back_home": "Ir a la página de inicio",
        "step": "Paso",
        "required": "obligatorio",
        "optional": "opcional",
        "contact": "Contacto",
        "product_image": "Ilustración de",
        "honeypot": "Deja este campo vacío",
        "thanks_title": "Gracias",
        "thanks_text": "Gracias por escribirnos. Hemos recibido tu mensaje y te responderemos muy pronto.",
        "form_errors_title": "Revisa el formulario",
        "form_errors_intro": "Algunos campos necesitan tu atención:",
        "err_required": "es obligatorio.",
        "err_email": "debe ser un correo electrónico como nombre@ejemplo.com.",
        "err_too_long": "es demasiado largo (máximo {max} caracteres).",
        "err_number": "debe ser un número entero de {min} a {max}.",
        "err_date": "debe ser una fecha entre hoy y el {max}.",
        "err_time": "debe ser una hora como 19:30.",
        "err_phone": "debe ser un teléfono con al menos 5 dígitos.",
        "err_characters": "contiene caracteres que no se pueden aceptar; escríbelo de nuevo.",
        "err_choice": "no es una de las opciones.",
        "product": "Producto",
    },
}


def ui_strings(language: str | None) -> dict[str, str]:
    """The UI strings for `language`; ValueError naming the supported languages otherwise."""
    lang = language or "en"
    if lang not in UI_STRINGS:
        raise ValueError(f"language {lang!r} has no UI strings; use one of {sorted(UI_STRINGS)}")
    return UI_STRINGS[lang]


# Market names a brief often gives in English (or Spanish) and that a page in the other language
# must not show as typed: (label, "in <market>") per language. Any other market is a place name,
# shown as the client wrote it.
_MARKETS: dict[tuple[str, ...], dict[str, tuple[str, str]]] = {
    ("global", "worldwide", "international", "world", "mundial", "todo el mundo", "internacional"): {
        "en": ("Worldwide", "around the world"),
        "es": ("Todo el mundo", "en todo el mundo"),
    },
    ("online", "en línea", "en linea", "internet"): {"en": ("Online", "online"), "es": ("En línea", "en línea")},
    ("north america", "norteamérica", "norteamerica", "américa del norte"): {
        "en": ("North America", "in North America"),
        "es": ("Norteamérica", "en Norteamérica"),
    },
    ("latin america", "latam", "latinoamérica", "latinoamerica", "américa latina", "america latina"): {
        "en": ("Latin America", "in Latin America"),
        "es": ("Latinoamérica", "en Latinoamérica"),
    },
    ("south america", "sudamérica", "sudamerica", "suramérica", "américa del sur"): {
        "en": ("South America", "in South America"),
        "es": ("Sudamérica", "en Sudamérica"),
    },
    ("central america", "centroamérica", "centroamerica"): {
        "en": ("Central America", "in Central America"),
        "es": ("Centroamérica", "en Centroamérica"),
    },
    ("europe", "europa"): {"en": ("Europe", "in Europe"), "es": ("Europa", "en Europa")},
    ("africa", "áfrica"): {"en": ("Africa", "in Africa"), "es": ("África", "en África")},
    ("usa", "us", "united states", "estados unidos", "eeuu", "ee. uu."): {
        "en": ("the United States", "in the United States"),
        "es": ("Estados Unidos", "en Estados Unidos"),
    },
    ("mexico", "méxico"): {"en": ("Mexico", "in Mexico"), "es": ("México", "en México")},
    ("mexico city", "ciudad de méxico", "ciudad de mexico"): {
        "en": ("Mexico City", "in Mexico City"),
        "es": ("Ciudad de México", "en Ciudad de México"),
    },
    ("spain", "españa", "espana"): {"en": ("Spain", "in Spain"), "es": ("España", "en España")},
}
_MARKET_INDEX = {name: forms for names, forms in _MARKETS.items() for name in names}


def market_label(target_geo: str, language: str | None) -> str:
    """The market as a page in `language` names it: 'Latin America' is 'Latinoamérica' in Spanish."""
    forms = _MARKET_INDEX.get(" ".join(target_geo.lower().split()))
    return forms[language or "en"][0] if forms else target_geo


def in_market(target_geo: str, language: str | None) -> str:
    """'in <market>' in `language`: 'around the world', 'en Latinoamérica', 'in Lima, Peru'."""
    lang = language or "en"
    forms = _MARKET_INDEX.get(" ".join(target_geo.lower().split()))
    if forms:
        return forms[lang][1]
    return f"en {target_geo}" if lang == "es" else f"in {target_geo}"
