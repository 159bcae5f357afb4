"""Shared copy tables of the offline generator: goals, tone registers, section words, navigation, blog.

The industry profiles are in offline_profiles.py. Like them, nothing here states a fact about a
business: no quotes, ratings, prices, figures, durations, policies or history. Facts come only from
the brief (deznity_assets/facts.py); the sections that need them are left out without them, or say
what a visitor can do instead. Strings may use {name}, {geo} (the market as the site's language
names it), {in_geo} ("in Mexico City", "en todo el mundo"), {industry}, {offer}, {offer_cap},
{cta}, {cta_lower}, {goal_short}, {style} (the tone register's mood), {provider}, {catalogue}.
"""

from __future__ import annotations

from typing import Any

# Goal kinds: matched by words in the brief's goal.
GOALS: dict[str, dict[str, Any]] = {
    "reservations": {
        "words": ("reserv", "book", "table", "appointment", "cita"),
        "page": ("book", "reservations", "reserve", "contact"),
        "cta": {"en": "Book your spot", "es": "Reserva tu lugar"},
        "event": ("reservation_submitted", "the reservation form is sent", ["party_size", "date", "time"]),
        "phrase": {"en": "book without a phone call", "es": "reservar sin llamar"},
        "kpi": {
            "en": "Online reservations per week: +30% in 90 days",
            "es": "Reservas en línea por semana: +30% en 90 días",
        },
    },
    "sales": {
        "words": ("sale", "sell", "order", "revenue", "venta", "vender", "pedido"),
        "page": ("products", "shop", "store", "cart"),
        "cta": {"en": "Shop the collection", "es": "Compra ahora"},
        "event": ("checkout_started", "the checkout form is sent from the cart", ["items", "value", "currency"]),
        "phrase": {"en": "shop with confidence", "es": "comprar con confianza"},
        "kpi": {"en": "Online conversion rate: 2.5% or more", "es": "Tasa de conversión en línea: 2.5% o más"},
    },
    "leads": {
        "words": ("lead", "quote", "client", "prospect", "contact", "consulta", "contacto"),
        "page": ("contact", "services", "book"),
        "cta": {"en": "Ask for a proposal", "es": "Pide una propuesta"},
        "event": ("lead_form_submitted", "the contact form is sent", ["service", "company_size"]),
        "phrase": {"en": "get expert help", "es": "recibir ayuda experta"},
        "kpi": {
            "en": "Qualified leads per month: +40% in 90 days",
            "es": "Prospectos calificados por mes: +40% en 90 días",
        },
    },
    "engagement": {
        "words": ("engag", "user", "retention", "active", "signup", "sign up", "usuario", "registro"),
        "page": ("pricing", "plans", "dashboard"),
        "cta": {"en": "Get started", "es": "Empieza ahora"},
        "event": ("signup_started", "a plan's sign-up button is clicked", ["plan", "source"]),
        "phrase": {"en": "reach your goals", "es": "alcanzar tus metas"},
        "kpi": {"en": "Weekly active users: +25% in 90 days", "es": "Usuarios activos por semana: +25% en 90 días"},
    },
    "awareness": {
        "words": ("aware", "brand", "visib", "reach", "marca", "conocer", "notoriedad"),
        "page": ("products", "gallery", "blog"),
        "cta": {"en": "Discover the collection", "es": "Descubre la colección"},
        "event": ("newsletter_signup", "the newsletter form is sent", ["source"]),
        "phrase": {"en": "get to know us", "es": "conocernos mejor"},
        "kpi": {"en": "Monthly unique visitors: +50% in 90 days", "es": "Visitantes únicos al mes: +50% en 90 días"},
    },
    "growth": {
        "words": (),
        "page": ("contact", "services", "book"),
        "cta": {"en": "Get in touch", "es": "Contáctanos"},
        "event": ("contact_form_submitted", "the contact form is sent", ["topic"]),
        "phrase": {"en": "get more done", "es": "lograr más"},
        "kpi": {"en": "Enquiries per month: +30% in 90 days", "es": "Consultas por mes: +30% en 90 días"},
    },
}

# Tone registers: chosen from the brief's adjectives.
REGISTERS: dict[str, dict[str, Any]] = {
    "playful": {
        "words": ("fun", "young", "playful", "street", "vibes", "casual", "divertid", "joven"),
        "font": "rounded",
        "corners": "round",
        "mood": {"en": "playful, energetic and welcoming", "es": "divertido, enérgico y cercano"},
        "hero": {
            "en": ("{offer_cap}, with a big smile", "{name}: come for the fun, stay for more"),
            "es": ("{offer_cap}, con mucha buena onda", "{name}: ven por la diversión, quédate por más"),
        },
    },
    "premium": {
        "words": ("elegant", "luxur", "premium", "exclusive", "refined", "eleg", "lujo", "exclusiv"),
        "font": "serif",
        "corners": "soft",
        "mood": {"en": "elegant, calm and refined", "es": "elegante, sereno y refinado"},
        "hero": {
            "en": ("{name}: {offer}", "The {name} experience, with nothing left to chance"),
            "es": ("{name}: {offer}", "La experiencia {name}, sin dejar nada al azar"),
        },
    },
    "professional": {
        "words": ("professional", "innovative", "data", "corporate", "expert", "reliable", "profesional", "innovador"),
        "font": "geometric",
        "corners": "sharp",
        "mood": {"en": "confident, clear and modern", "es": "seguro, claro y moderno"},
        "hero": {
            "en": ("{offer_cap}", "Work with {name}"),
            "es": ("{offer_cap}", "Trabaja con {name}"),
        },
    },
    "bold": {
        "words": ("motivational", "bold", "energetic", "dynamic", "motivador", "audaz"),
        "font": "geometric",
        "corners": "soft",
        "mood": {"en": "bold, motivating and direct", "es": "audaz, motivador y directo"},
        "hero": {
            "en": ("{offer_cap}. Start today.", "Every day counts with {name}"),
            "es": ("{offer_cap}. Empieza hoy.", "Cada día cuenta con {name}"),
        },
    },
    "warm": {
        "words": ("warm", "caring", "cozy", "cálid", "amable", "cariños"),
        "font": "humanist",
        "corners": "soft",
        "mood": {"en": "warm, honest and friendly", "es": "cálido, honesto y cercano"},
        "hero": {
            "en": ("{offer_cap}, close to you", "{name}: people who care"),
            "es": ("{offer_cap}, cerca de ti", "{name}: gente que se preocupa por ti"),
        },
    },
}


# Visitor-facing words the generator needs (section headings, labels), per language.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "home": "Home",
        "features": "Why {name}",
        "how_it_works": "How it works",
        "social_proof": "What customers say",
        "faq": "Frequently asked questions",
        "pricing": "Plans and prices",
        "plans": "Choose your plan",
        "menu": "Our menu",
        "reservation_form": "Book your table",
        "product_grid": "Shop the collection",
        "cart": "Your cart",
        "dashboard_preview": "See your progress at a glance",
        "services": "What we do",
        "contact_form": "Talk to us",
        "gallery": "Gallery",
        "blog_index": "From the blog",
        "text": "About {name}",
        "facts": "{name} in brief",
        "cta": "Ready when you are",
        "features_intro": "What {name} is about: {offer}, with care in the details and nothing you do not need.",
        "steps_intro": "Three simple steps, and you are ready to {goal_short}.",
        "proof_intro": "In their own words, shared with their permission.",
        "faq_intro": "Answers to questions worth asking. Anything else? Just ask us.",
        "booking_form": "Book your visit",
        "menu_intro": "Every dish, with its price as {name} gives it.",
        "reservation_intro": "Tell us when you are coming and how many you are; we reply by email.",
        "products_intro": "Every product, with its price.",
        "cart_intro": "Review your order and continue to checkout.",
        "cart_empty": "Your cart is empty for now: add something you like and come back here to order it.",
        "dashboard_intro": "A preview of what the dashboard shows you.",
        "services_intro": "Services designed around your goals.",
        "contact_intro": "Send us a message and we will reply by email.",
        "gallery_intro": "A look at the {name} world, in its colours.",
        "blog_intro": "Ideas and guides from {name}.",
        "pricing_intro": "The options and their prices, side by side.",
        "plans_intro": "Every option in detail: compare them side by side and choose the one that fits.",
        "cta_intro": "{cta} today: it only takes a moment, and the {name} team takes it from there.",
        "cta_intro_page": "{cta}, and ask the {name} team anything about {page_label_lower}.",
        "proof_intro_page": "More customers, in their own words.",
        "reservation_intro_home": "Save your place right here: choose the day, the time and how many you are.",
        "hero_sub_a": "Everything at {name} is built so you can {goal_short}.",
        "hero_sub_b": "{offer_cap}, {in_geo}.",
        "catalogue_soon": "The full list of {catalogue}, with prices, is coming to this page. Until then, ask us: we are happy to tell you what {name} offers.",
        "services_soon": "Tell us what you need: the {name} team will explain what it can do for you, how and at what price. The full list of services is coming to this page.",
        "faq_goal": "How do I get started?|{how}",
        "how_form_reservation": "Use the booking form on this site: choose the day and the time, say how many you are and leave your email, and we reply to confirm.",
        "how_form_contact": "Send a message with the contact form on this site, with a few words on what you need, and we reply by email.",
        "how_shop": "Choose what you like, add it to your cart and fill in the checkout form with your details.",
        "how_plans": "Compare the plans on this site, choose the one that fits and follow the button to get started.",
        "how_default": "Follow the button at the top of any page of this site; it takes you to the right place.",
        "about_p1": "{name} offers {offer} {in_geo}.",
        "about_p2": "Its style is {style}, and everything on this site serves one purpose: to help you {goal_short}.",
        "about_more": "This is where {name} tells its story. Ask us anything you would like to know in the meantime.",
        "page_generic": "{page_label} at {name}",
        "page_generic_p": "This page gathers what {name} has to say about {page_label_lower}.\n\nWant to know more about {page_label_lower}? Ask the {name} team: it will be glad to tell you.",
        "since": "Since {year}",
        "since_text": "{name} started in {year}.",
        "sourcing": "Where it comes from",
        "awards": "Recognition",
        "statement": "Good to know",
    },
    "es": {
        "home": "Inicio",
        "features": "Por qué {name}",
        "how_it_works": "Cómo funciona",
        "social_proof": "Lo que dicen los clientes",
        "faq": "Preguntas frecuentes",
        "pricing": "Planes y precios",
        "plans": "Elige tu plan",
        "menu": "Nuestro menú",
        "reservation_form": "Reserva tu mesa",
        "product_grid": "Descubre la colección",
        "cart": "Tu carrito",
        "dashboard_preview": "Tu progreso de un vistazo",
        "services": "Lo que hacemos",
        "contact_form": "Hablemos",
        "gallery": "Galería",
        "blog_index": "Del blog",
        "text": "Sobre {name}",
        "facts": "{name} en breve",
        "cta": "Te estamos esperando",
        "features_intro": "De qué se trata {name}: {offer}, con cuidado en los detalles y nada que no necesites.",
        "steps_intro": "Tres pasos sencillos, y listo para {goal_short}.",
        "proof_intro": "Con sus propias palabras, compartidas con su permiso.",
        "faq_intro": "Respuestas a preguntas que vale la pena hacer. ¿Algo más? Solo pregúntanos.",
        "booking_form": "Reserva tu visita",
        "menu_intro": "Cada plato, con su precio tal como lo da {name}.",
        "reservation_intro": "Dinos cuándo vienes y cuántos son; te respondemos por correo.",
        "products_intro": "Cada producto, con su precio.",
        "cart_intro": "Revisa tu pedido y continúa al pago.",
        "cart_empty": "Tu carrito está vacío por ahora: agrega algo que te guste y vuelve aquí para pedirlo.",
        "dashboard_intro": "Una vista previa de lo que te muestra el panel.",
        "services_intro": "Servicios pensados para tus objetivos.",
        "contact_intro": "Envíanos un mensaje y te respondemos por correo.",
        "gallery_intro": "Un vistazo al mundo de {name}, en sus colores.",
        "blog_intro": "Ideas y guías de {name}.",
        "pricing_intro": "Las opciones y sus precios, lado a lado.",
        "plans_intro": "Cada opción en detalle: compáralas lado a lado y elige la que te quede.",
        "cta_intro": "{cta} hoy: toma solo un momento, y el equipo de {name} se encarga del resto.",
        "cta_intro_page": "{cta} y pregunta al equipo de {name} lo que quieras sobre {page_label_lower}.",
        "proof_intro_page": "Más clientes, con sus propias palabras.",
        "reservation_intro_home": "Aparta tu lugar aquí mismo: elige el día, la hora y cuántos son.",
        "hero_sub_a": "En {name} todo está pensado para {goal_short}.",
        "hero_sub_b": "{offer_cap}, {in_geo}.",
        "catalogue_soon": "La lista completa de {catalogue}, con precios, llegará pronto a esta página. Mientras tanto, pregúntanos: con gusto te contamos lo que ofrece {name}.",
        "services_soon": "Cuéntanos lo que necesitas: el equipo de {name} te explica qué puede hacer por ti, cómo y a qué precio. La lista completa de servicios llegará pronto a esta página.",
        "faq_goal": "¿Por dónde empiezo?|{how}",
        "how_form_reservation": "Usa el formulario de reserva de este sitio: elige el día y la hora, indica cuántos son y deja tu correo; te respondemos para confirmar.",
        "how_form_contact": "Envía un mensaje con el formulario de contacto de este sitio, con unas palabras sobre lo que necesitas, y te respondemos por correo.",
        "how_shop": "Elige lo que te guste, agrégalo al carrito y completa el formulario de pago con tus datos.",
        "how_plans": "Compara los planes de este sitio, elige el que te quede y sigue el botón para empezar.",
        "how_default": "Sigue el botón de la parte superior de cualquier página de este sitio; te lleva al lugar indicado.",
        "about_p1": "{name} ofrece {offer} {in_geo}.",
        "about_p2": "Su estilo es {style}, y todo en este sitio tiene un propósito: ayudarte a {goal_short}.",
        "about_more": "Aquí {name} cuenta su historia. Mientras tanto, pregúntanos lo que quieras saber.",
        "page_generic": "{page_label} en {name}",
        "page_generic_p": "Esta página reúne lo que {name} tiene que decir sobre {page_label_lower}.\n\n¿Quieres saber más sobre {page_label_lower}? Pregunta al equipo de {name}: con gusto te lo cuenta.",
        "since": "Desde {year}",
        "since_text": "{name} empezó en {year}.",
        "sourcing": "De dónde viene",
        "awards": "Reconocimientos",
        "statement": "Bueno saberlo",
    },
}

NAV_LABELS = {
    "en": {
        "home": "Home",
        "menu": "Menu",
        "book": "Book",
        "reservations": "Reservations",
        "blog": "Blog",
        "products": "Products",
        "cart": "Cart",
        "pricing": "Pricing",
        "plans": "Plans",
        "dashboard": "Dashboard",
        "services": "Services",
        "about": "About",
        "contact": "Contact",
        "gallery": "Gallery",
        "shop": "Shop",
    },
    "es": {
        "home": "Inicio",
        "menu": "Menú",
        "book": "Reservar",
        "reservations": "Reservas",
        "blog": "Blog",
        "products": "Productos",
        "cart": "Carrito",
        "pricing": "Precios",
        "plans": "Planes",
        "dashboard": "Panel",
        "services": "Servicios",
        "about": "Nosotros",
        "contact": "Contacto",
        "gallery": "Galería",
        "shop": "Tienda",
    },
}


# Three posts per language; {q1}-{q3} are the profile's questions, so each sector asks its own.
# A title is 'long|short': the short one when the long one would not fit a 60-character page title.
BLOG_POSTS = {
    "en": [
        (
            "{n} questions to ask before choosing {provider}|{n} questions to ask first",
            "2026-01-15",
            [
                "Choosing {provider} {in_geo} is easier with the right questions. Here are three worth asking, whoever you choose.",
                "{q1} {q2}",
                "{q3} A clear answer to each is a good sign; at {name}, ask us any of them.",
            ],
        ),
        (
            "Welcome to the new {name} website|Welcome to our new website",
            "2026-02-03",
            [
                "{name} has a new home online. This is a short tour of what you can do here.",
                "Every page leads to one thing: to help you {goal_short}. When you are ready, the button at the top of each page takes you there.",
                "Something missing, or a question we have not answered yet? Tell us: this site grows with what you ask.",
            ],
        ),
        (
            "A first guide to {industry} {in_geo}|A first guide to {industry}",
            "2026-03-10",
            [
                "New to {industry}? This short guide covers the first decisions.",
                "Start by knowing what you want: a clear goal makes every choice easier, from budget to timing.",
                "Then compare honestly: price matters, but so do service, quality and how you are treated when something goes wrong.",
            ],
        ),
    ],
    "es": [
        (
            "{n} preguntas antes de elegir {provider}|{n} preguntas antes de elegir",
            "2026-01-15",
            [
                "Elegir {provider} {in_geo} es más fácil con las preguntas correctas. Estas tres valen la pena, elijas a quien elijas.",
                "{q1} {q2}",
                "{q3} Una respuesta clara a cada una es buena señal; en {name}, pregúntanos cualquiera de ellas.",
            ],
        ),
        (
            "Bienvenidos al nuevo sitio de {name}|Bienvenidos a nuestro nuevo sitio",
            "2026-02-03",
            [
                "{name} estrena casa en internet. Este es un recorrido breve por lo que puedes hacer aquí.",
                "Cada página lleva a una sola cosa: ayudarte a {goal_short}. Cuando quieras, el botón de la parte superior de cada página te lleva ahí.",
                "¿Falta algo o tienes una pregunta que aún no respondemos? Cuéntanos: este sitio crece con lo que preguntas.",
            ],
        ),
        (
            "Primera guía de {industry} {in_geo}|Primera guía de {industry}",
            "2026-03-10",
            [
                "¿Eres nuevo en {industry}? Esta guía breve cubre las primeras decisiones.",
                "Empieza por saber lo que quieres: un objetivo claro facilita cada decisión, del presupuesto a los tiempos.",
                "Después compara con honestidad: el precio importa, pero también el servicio, la calidad y cómo te tratan cuando algo sale mal.",
            ],
        ),
    ],
}

# Markets that are regions or the world: search keywords there carry no place name.
NON_LOCAL_MARKETS = (
    "global",
    "worldwide",
    "international",
    "online",
    "europe",
    "north america",
    "latin america",
    "latam",
    "latinoamérica",
    "latinoamerica",
    "asia",
    "africa",
    "emea",
)


SCHEMA_TYPES = {
    "restaurant": "Restaurant",
    "ecommerce": "Store",
    "saas": "SoftwareApplication",
    "beauty": "LocalBusiness",
    "health": "LocalBusiness",
    "legal": "LocalBusiness",
    "finance": "LocalBusiness",
}
