"""Copy tables of the offline generator: industry profiles, goals, tone registers, UI words (en/es)."""

from __future__ import annotations

from typing import Any

# Per industry and language: what the business offers, its features, steps, offers (dishes,
# products, services or plans), testimonials, FAQ, audience, competitors and keywords.
# Strings may use {name} (the business) and {geo} (the market).
INDUSTRIES: dict[str, dict[str, dict[str, Any]]] = {
    "restaurant": {
        "en": {
            "offer": "food made fresh every day",
            "features": [
                ("Cooked to order", "Every plate leaves the kitchen minutes after you order it."),
                ("Local ingredients", "We buy from producers around {geo} every morning."),
                ("Made for groups", "Long tables, shared plates and a playlist worth staying for."),
                ("Easy booking", "Reserve a table in under a minute, from any phone."),
            ],
            "steps": [
                ("Pick a time", "Choose the day, the hour and how many of you are coming."),
                ("Get your confirmation", "We confirm by email straight away."),
                ("Come hungry", "Your table is ready when you arrive."),
            ],
            "items": [
                ("House special", "Our signature plate, the one regulars order every time.", 12),
                ("Grilled chicken", "Marinated overnight, grilled over charcoal.", 10),
                ("Veggie bowl", "Seasonal vegetables, grains and a bright green sauce.", 9),
                ("Street fries", "Crispy fries with lime, chili and fresh herbs.", 5),
                ("Fresh lemonade", "Squeezed to order, not too sweet.", 3),
                ("Churros", "Warm, sugared and served with chocolate.", 5),
            ],
            "testimonials": [
                ("Ana R., regular", "The best plates in {geo}, and the team remembers your name."),
                ("Mark T., food blogger", "Fresh, generous and honest food. I keep coming back."),
                ("Lucía P., birthday dinner", "Booked a table for twelve in a minute. Perfect night."),
            ],
            "faq": [
                ("Do I need a reservation?", "Walk-ins are welcome, but booking guarantees your table on busy nights."),
                (
                    "Do you have vegetarian options?",
                    "Yes: several dishes on the menu are vegetarian, and the kitchen adapts others.",
                ),
                ("Can you host groups?", "Yes, we seat groups of up to twenty; book ahead and tell us the occasion."),
                ("Where are you?", "In {geo}; the address and opening hours are at the bottom of every page."),
            ],
            "audience": [
                ("Locals after a great meal", "quick, tasty food close to home", ["Instagram", "Google Maps"]),
                ("Groups and celebrations", "space, shared plates and easy booking", ["WhatsApp", "Instagram"]),
                ("Visitors", "an authentic place worth the trip", ["Google Maps", "TikTok"]),
            ],
            "competitors": [
                ("Chain restaurants", "known brands and many locations", "generic food and no personality"),
                ("Food delivery apps", "convenience at home", "food arrives cold and there is no experience"),
                ("Neighbourhood stalls", "low prices", "no booking, no seating and uneven quality"),
            ],
            "keywords": [
                "restaurant {geo}",
                "best food {geo}",
                "book a table {geo}",
                "dinner {geo}",
                "group dinner {geo}",
            ],
        },
        "es": {
            "offer": "comida preparada al momento, todos los días",
            "features": [
                ("Hecho al momento", "Cada plato sale de la cocina minutos después de tu pedido."),
                ("Ingredientes locales", "Compramos cada mañana a productores de {geo}."),
                ("Pensado para grupos", "Mesas largas, platos para compartir y buena música."),
                ("Reserva fácil", "Aparta tu mesa en menos de un minuto desde el celular."),
            ],
            "steps": [
                ("Elige tu horario", "Escoge el día, la hora y cuántos vienen."),
                ("Recibe tu confirmación", "Te confirmamos por correo al instante."),
                ("Llega con hambre", "Tu mesa te espera cuando llegas."),
            ],
            "items": [
                ("Taco de la casa", "Nuestro plato estrella, el que los clientes piden siempre.", 45),
                ("Taco al pastor", "Cerdo marinado, piña asada y salsa de la casa.", 35),
                ("Quesadilla de flor de calabaza", "Tortilla hecha a mano, queso Oaxaca y flor fresca.", 55),
                ("Guacamole con totopos", "Aguacate recién machacado, limón y chile serrano.", 70),
                ("Agua fresca del día", "Hecha al momento con fruta de temporada.", 30),
                ("Churros con chocolate", "Calientitos, con azúcar y chocolate para mojar.", 50),
            ],
            "testimonials": [
                ("Ana R., clienta frecuente", "Los mejores tacos de {geo}, y el equipo se sabe tu nombre."),
                ("Marco T., bloguero gastronómico", "Comida fresca, generosa y honesta. Siempre regreso."),
                ("Lucía P., cena de cumpleaños", "Reservé mesa para doce en un minuto. Noche perfecta."),
            ],
            "faq": [
                (
                    "¿Necesito reservar?",
                    "Puedes llegar sin reserva, pero reservar te asegura mesa en las noches de más movimiento.",
                ),
                (
                    "¿Tienen opciones vegetarianas?",
                    "Sí: varios platos del menú son vegetarianos y la cocina adapta otros.",
                ),
                (
                    "¿Reciben grupos?",
                    "Sí, recibimos grupos de hasta veinte personas; reserva con tiempo y cuéntanos la ocasión.",
                ),
                ("¿Dónde están?", "En {geo}; la dirección y el horario están al pie de cada página."),
            ],
            "audience": [
                ("Vecinos con antojo", "comida rica y rápida cerca de casa", ["Instagram", "Google Maps"]),
                ("Grupos y celebraciones", "espacio, platos para compartir y reserva fácil", ["WhatsApp", "Instagram"]),
                ("Visitantes", "un lugar auténtico que valga la visita", ["Google Maps", "TikTok"]),
            ],
            "competitors": [
                (
                    "Cadenas de restaurantes",
                    "marcas conocidas y muchas sucursales",
                    "comida genérica y sin personalidad",
                ),
                ("Apps de entrega a domicilio", "comodidad en casa", "la comida llega fría y sin experiencia"),
                ("Puestos del barrio", "precios bajos", "sin reservas, sin mesas y calidad irregular"),
            ],
            "keywords": [
                "tacos {geo}",
                "restaurante {geo}",
                "reservar mesa {geo}",
                "comida callejera {geo}",
                "cena en grupo {geo}",
            ],
        },
    },
    "saas": {
        "en": {
            "offer": "software that turns your data into daily progress",
            "features": [
                ("Live dashboard", "Every metric that matters on one screen, updated in real time."),
                ("Smart goals", "Set a target and get a plan that adapts to your week."),
                ("Team challenges", "Invite friends or colleagues and keep each other going."),
                ("Integrations", "Connect the tools you already use in two clicks."),
            ],
            "steps": [
                ("Create your account", "Sign up free in thirty seconds, no card needed."),
                ("Connect your data", "Link your devices and apps; we import your history."),
                ("Watch the progress", "Daily insights show what works and what to try next."),
            ],
            "items": [
                ("Starter", "1 user; core dashboard; weekly reports", "$0/mo"),
                ("Pro", "Unlimited history; smart goals; integrations; priority support", "$12/mo"),
                ("Team", "Everything in Pro; team challenges; admin controls; SSO", "$29/mo"),
            ],
            "metrics": [
                ("Active days", "How many days this month you hit your plan.", "22 / 30"),
                ("Weekly trend", "Your progress against last week.", "+14%"),
                ("Current streak", "Consecutive days with activity logged.", "9 days"),
                ("Goal completion", "Share of this month's target reached.", "76%"),
            ],
            "testimonials": [
                ("Sara K., product manager", "{name} is the first tool my whole team opens every morning."),
                ("Diego M., coach", "My clients stay motivated because they can see their progress."),
                ("Priya N., founder", "Set up in minutes and the insights paid off in the first week."),
            ],
            "faq": [
                ("Is there a free plan?", "Yes: the Starter plan is free forever for one user."),
                ("Can I cancel any time?", "Yes, plans are monthly and you can cancel from your settings."),
                (
                    "Is my data secure?",
                    "Data is encrypted in transit and at rest, and you can export or delete it at any time.",
                ),
                (
                    "Which integrations do you support?",
                    "The most popular apps and devices; new ones are added every month.",
                ),
            ],
            "audience": [
                ("Self-improvers", "clear progress and motivation", ["Instagram", "YouTube"]),
                ("Teams and coaches", "shared goals and accountability", ["LinkedIn", "Email"]),
                ("Data lovers", "deep metrics and exports", ["Reddit", "Product Hunt"]),
            ],
            "competitors": [
                ("All-in-one suites", "many features in one place", "complex and slow to set up"),
                ("Spreadsheets", "free and flexible", "manual work and no motivation"),
                ("Single-purpose apps", "simple to start", "data stuck in silos"),
            ],
            "keywords": [
                "progress tracking app",
                "goal tracking software",
                "habit dashboard",
                "team challenge app",
                "analytics dashboard",
            ],
        },
    },
    "ecommerce": {
        "en": {
            "offer": "products chosen to last, delivered to your door",
            "features": [
                ("Carefully sourced", "Every product is chosen for quality and a smaller footprint."),
                ("Fast delivery", "Orders ship within 24 hours across {geo}."),
                ("Easy returns", "Changed your mind? Return it free within 30 days."),
                ("Secure checkout", "Pay with card or wallet, protected end to end."),
            ],
            "steps": [
                ("Browse the collection", "Filter by category and read honest descriptions."),
                ("Add to cart", "Review your order and choose delivery."),
                ("Enjoy it at home", "Track your parcel until it reaches your door."),
            ],
            "items": [
                ("Signature set", "Our best-selling bundle, ready to gift.", 48),
                ("Daily essential", "The everyday favourite customers reorder most.", 18),
                ("Refill pack", "Less packaging, same quality, lower price.", 14),
                ("Travel size", "Everything you need in a bag-friendly format.", 12),
                ("Limited edition", "A seasonal release in small batches.", 36),
                ("Gift card", "Let them choose; delivered by email.", 25),
            ],
            "testimonials": [
                ("Emily W., verified buyer", "Beautiful quality and it arrived in two days."),
                ("Jordan P., repeat customer", "The refill packs make it easy to keep buying better."),
                ("Claire D., gift shopper", "Gorgeous packaging, my sister loved it."),
            ],
            "faq": [
                ("How long does delivery take?", "Most orders arrive in 2 to 4 working days within {geo}."),
                ("What is your return policy?", "Returns are free within 30 days of delivery."),
                ("Do you ship internationally?", "We ship across {geo}; more destinations are coming."),
                (
                    "Is checkout secure?",
                    "Yes: payments are processed by a certified provider and we never store card numbers.",
                ),
            ],
            "audience": [
                ("Conscious shoppers", "quality products with a smaller footprint", ["Instagram", "Pinterest"]),
                ("Gift buyers", "beautiful, ready-to-give options", ["Pinterest", "Email"]),
                ("Repeat customers", "easy reordering and refills", ["Email", "SMS"]),
            ],
            "competitors": [
                ("Marketplaces", "huge selection and low prices", "no curation and anonymous sellers"),
                ("Department stores", "trust and physical shops", "limited online experience"),
                ("Other online brands", "strong social presence", "vague sourcing claims"),
            ],
            "keywords": [
                "buy online {geo}",
                "sustainable products",
                "premium gifts",
                "free returns shop",
                "online store {geo}",
            ],
        },
    },
    "tech": {
        "en": {
            "offer": "technology projects delivered on time and built to scale",
            "features": [
                ("Senior team", "Engineers who have shipped products at scale."),
                ("Clear roadmaps", "Fixed milestones, weekly demos, no surprises."),
                ("Cloud native", "Secure, observable systems that grow with you."),
                ("Support after launch", "We stay on to monitor, improve and train your team."),
            ],
            "steps": [
                ("Free discovery call", "Tell us the problem; we map the options."),
                ("Proposal in 48 hours", "Scope, timeline and a fixed price."),
                ("Build and launch", "Weekly releases until it is live."),
            ],
            "items": [
                ("Product development", "Web and mobile products from idea to launch.", "from €8,000"),
                ("Cloud migration", "Move to the cloud safely, with zero downtime.", "from €5,000"),
                ("Data and AI", "Dashboards, pipelines and practical AI features.", "from €6,000"),
                ("Tech audit", "An honest review of your code, security and costs.", "from €1,500"),
            ],
            "testimonials": [
                ("Laura S., CTO", "{name} delivered in eight weeks what we had planned for six months."),
                ("Tom B., operations director", "Clear communication and real expertise at every step."),
                ("Nadia F., founder", "They felt like part of our team from day one."),
            ],
            "faq": [
                ("How do projects start?", "With a free discovery call; you get a written proposal within 48 hours."),
                ("Do you work with fixed prices?", "Yes, every milestone has a fixed price agreed up front."),
                ("Who owns the code?", "You do, from the first commit."),
                ("Do you work remotely?", "Yes, across {geo}, with on-site workshops when useful."),
            ],
            "audience": [
                ("Growing companies", "a reliable technical partner", ["LinkedIn", "Email"]),
                ("Start-up founders", "speed from idea to product", ["LinkedIn", "X"]),
                ("IT leaders", "modernisation without risk", ["LinkedIn", "Events"]),
            ],
            "competitors": [
                ("Large consultancies", "brand and capacity", "expensive and slow"),
                ("Freelancers", "low rates", "limited capacity and continuity"),
                ("Offshore agencies", "cheap hours", "time zones and quality risk"),
            ],
            "keywords": [
                "software development {geo}",
                "tech consulting",
                "cloud migration",
                "product development agency",
                "IT services {geo}",
            ],
        },
    },
    "beauty": {
        "es": {
            "offer": "belleza de lujo con ingredientes que cuidan tu piel",
            "features": [
                ("Fórmulas de alta gama", "Ingredientes activos de grado profesional en cada producto."),
                ("Asesoría personalizada", "Te recomendamos la rutina ideal para tu tipo de piel."),
                ("Envío discreto y elegante", "Cada pedido llega en un empaque digno de regalo."),
                ("Libre de crueldad", "Nunca probamos en animales."),
            ],
            "steps": [
                ("Descubre tu rutina", "Responde tres preguntas sobre tu piel."),
                ("Elige tus productos", "Te mostramos la combinación perfecta."),
                ("Luce radiante", "Recibe tu pedido y disfruta los resultados."),
            ],
            "items": [
                ("Sérum iluminador", "Vitamina C estabilizada para una piel luminosa.", 890),
                ("Crema de noche", "Repara e hidrata mientras duermes.", 750),
                ("Labial satinado", "Color intenso que dura todo el día.", 420),
                ("Aceite facial", "Mezcla de aceites botánicos para nutrir.", 680),
                ("Mascarilla de arcilla", "Purifica y suaviza en diez minutos.", 390),
                ("Set de regalo", "Nuestros favoritos en una caja de lujo.", 1500),
            ],
            "gallery": [
                ("Sérum iluminador sobre mármol", "Nuestro producto más querido."),
                ("Rutina de noche en el tocador", "Tres pasos para despertar radiante."),
                ("Paleta de labiales satinados", "Tonos pensados para cada ocasión."),
                ("Empaque de regalo dorado", "Cada pedido llega listo para regalar."),
                ("Ingredientes botánicos", "Lo mejor de la naturaleza en cada fórmula."),
                ("Clienta tras su tratamiento", "Resultados visibles desde la primera semana."),
            ],
            "testimonials": [
                ("Valeria G., clienta", "Mi piel nunca se había visto tan luminosa."),
                ("Camila R., maquillista", "Calidad profesional que recomiendo a todas mis clientas."),
                ("Sofía L., compradora frecuente", "El empaque es precioso y los resultados, reales."),
            ],
            "faq": [
                (
                    "¿Los productos sirven para piel sensible?",
                    "Sí, nuestras fórmulas están probadas dermatológicamente; la asesoría te guía según tu piel.",
                ),
                ("¿Cuánto tarda el envío?", "Entre 2 y 5 días hábiles en {geo}."),
                ("¿Puedo devolver un producto?", "Sí, dentro de 30 días si el producto está sin abrir."),
                ("¿Prueban en animales?", "Nunca: todos nuestros productos son libres de crueldad."),
            ],
            "audience": [
                (
                    "Amantes del cuidado de la piel",
                    "resultados visibles y productos de confianza",
                    ["Instagram", "TikTok"],
                ),
                ("Compradoras de regalos", "opciones elegantes y listas para regalar", ["Instagram", "Pinterest"]),
                ("Profesionales de belleza", "calidad profesional", ["Instagram", "WhatsApp"]),
            ],
            "competitors": [
                ("Marcas de farmacia", "precio accesible", "fórmulas básicas y poca exclusividad"),
                ("Marcas internacionales de lujo", "prestigio", "precios altos e importación"),
                ("Tiendas multimarca", "variedad", "sin asesoría personalizada"),
            ],
            "keywords": [
                "cosmética de lujo {geo}",
                "sérum facial",
                "cuidado de la piel",
                "maquillaje premium",
                "regalos de belleza",
            ],
        },
    },
    "general": {
        "en": {
            "offer": "a {industry} service built around what you need",
            "features": [
                ("Experienced team", "Years of {industry} experience behind every job."),
                ("Clear pricing", "You know the price before we start."),
                ("Fast response", "We answer every enquiry within one working day."),
                ("Local and trusted", "Proudly serving clients across {geo}."),
            ],
            "steps": [
                ("Tell us what you need", "Send a short message or call us."),
                ("Get a clear proposal", "Scope, timing and price in writing."),
                ("We get it done", "On time, with updates along the way."),
            ],
            "items": [
                ("Consultation", "A first conversation to understand your needs.", "free"),
                ("Standard service", "Our most requested option for most clients.", "from {cur}99"),
                ("Premium service", "Priority scheduling and extended support.", "from {cur}199"),
            ],
            "testimonials": [
                ("Maria L., client", "Professional, friendly and on time. Highly recommended."),
                ("James K., business owner", "{name} made the whole process simple."),
                ("Olivia C., returning client", "The second time was as good as the first."),
            ],
            "faq": [
                (
                    "How do I get started?",
                    "Send us a message through the contact page; we reply within one working day.",
                ),
                ("How much does it cost?", "Prices depend on the job; the services page lists starting prices."),
                ("Where do you work?", "We serve clients across {geo}."),
                ("Can I change my booking?", "Yes, tell us at least 24 hours ahead and we will find a new time."),
            ],
            "audience": [
                ("Local customers", "a reliable provider nearby", ["Google", "Facebook"]),
                ("Small businesses", "a partner that understands their needs", ["LinkedIn", "Email"]),
            ],
            "competitors": [
                ("Large providers", "brand recognition", "impersonal service"),
                ("Freelancers", "low prices", "limited availability"),
                ("Do-it-yourself", "no cost", "time and uncertain results"),
            ],
            "keywords": [
                "{industry} {geo}",
                "{industry} services",
                "best {industry} near me",
                "{industry} company",
                "trusted {industry}",
            ],
        },
        "es": {
            "offer": "un servicio de {industry} pensado para lo que necesitas",
            "features": [
                ("Equipo con experiencia", "Años de experiencia en {industry} detrás de cada trabajo."),
                ("Precios claros", "Conoces el precio antes de empezar."),
                ("Respuesta rápida", "Respondemos cada consulta en un día hábil."),
                ("Cerca de ti", "Atendemos a clientes en todo {geo}."),
            ],
            "steps": [
                ("Cuéntanos qué necesitas", "Envíanos un mensaje o llámanos."),
                ("Recibe una propuesta clara", "Alcance, tiempos y precio por escrito."),
                ("Nos encargamos", "A tiempo y con avances en cada paso."),
            ],
            "items": [
                ("Consulta inicial", "Una primera conversación para entender lo que necesitas.", "gratis"),
                ("Servicio estándar", "La opción que más eligen nuestros clientes.", "desde {cur}99"),
                ("Servicio premium", "Prioridad en la agenda y soporte extendido.", "desde {cur}199"),
            ],
            "testimonials": [
                ("María L., clienta", "Profesionales, amables y puntuales. Muy recomendados."),
                ("Jaime K., empresario", "{name} hizo que todo fuera sencillo."),
                ("Olivia C., clienta frecuente", "La segunda vez fue tan buena como la primera."),
            ],
            "faq": [
                ("¿Cómo empiezo?", "Escríbenos desde la página de contacto; respondemos en un día hábil."),
                ("¿Cuánto cuesta?", "Depende del trabajo; la página de servicios muestra los precios de partida."),
                ("¿Dónde trabajan?", "Atendemos a clientes en todo {geo}."),
                ("¿Puedo cambiar mi cita?", "Sí, avísanos con 24 horas de anticipación y buscamos otro horario."),
            ],
            "audience": [
                ("Clientes locales", "un proveedor confiable y cercano", ["Google", "Facebook"]),
                ("Pequeñas empresas", "un socio que entienda sus necesidades", ["LinkedIn", "Correo"]),
            ],
            "competitors": [
                ("Grandes proveedores", "marca reconocida", "trato impersonal"),
                ("Independientes", "precios bajos", "disponibilidad limitada"),
                ("Hacerlo uno mismo", "sin costo", "tiempo y resultados inciertos"),
            ],
            "keywords": [
                "{industry} {geo}",
                "servicios de {industry}",
                "mejor {industry} cerca de mí",
                "empresa de {industry}",
                "{industry} de confianza",
            ],
        },
    },
}
# Industries without a profile of their own borrow one (and say their own sector name).
INDUSTRY_ALIASES = {
    "health": "general",
    "legal": "general",
    "finance": "general",
    "store": "ecommerce",
    "shop": "ecommerce",
    "software": "saas",
    "app": "saas",
    "food": "restaurant",
    "cafe": "restaurant",
    "salon": "beauty",
    "spa": "beauty",
    "cosmetics": "beauty",
    "technology": "tech",
    "it": "tech",
    "agency": "tech",
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

# How a sector reads inside a sentence, per language (unknown sectors keep the brief's word).
INDUSTRY_WORDS = {
    "en": {"saas": "software", "ecommerce": "online shopping", "tech": "technology", "general": "services"},
    "es": {
        "restaurant": "restaurantes",
        "beauty": "belleza",
        "saas": "software",
        "ecommerce": "compras en línea",
        "tech": "tecnología",
        "health": "salud",
        "legal": "servicios legales",
        "finance": "finanzas",
        "general": "servicios",
    },
}

# Starting prices of the service packages ({p1}, {p2}, {p3}) by profile; software has its own plans.
PRICE_LEVELS = {"tech": ("1,500", "5,000", "8,000"), "general": ("99", "199", "399")}

SCHEMA_TYPES = {
    "restaurant": "Restaurant",
    "ecommerce": "Store",
    "saas": "SoftwareApplication",
    "beauty": "LocalBusiness",
    "health": "LocalBusiness",
    "legal": "LocalBusiness",
    "finance": "LocalBusiness",
}

# Goal kinds: matched by words in the brief's goal.
GOALS: dict[str, dict[str, Any]] = {
    "reservations": {
        "words": ("reserv", "book", "table"),
        "page": ("book", "reservations", "reserve", "contact"),
        "cta": {"en": "Book your spot", "es": "Reserva tu lugar"},
        # A kitchen books tables; anyone else books a time.
        "restaurant": {
            "cta": {"en": "Book a table", "es": "Reserva tu mesa"},
            "phrase": {"en": "book a table in seconds", "es": "reservar tu mesa en segundos"},
        },
        "event": ("reservation_submitted", "the reservation form is sent", ["party_size", "date", "time"]),
        "phrase": {"en": "book in seconds", "es": "reservar en segundos"},
        "kpi": {
            "en": "Online reservations per week: +30% in 90 days",
            "es": "Reservas en línea por semana: +30% en 90 días",
        },
    },
    "sales": {
        "words": ("sale", "sell", "order", "revenue", "venta"),
        "page": ("products", "shop", "store", "cart"),
        "cta": {"en": "Shop the collection", "es": "Compra ahora"},
        "event": ("checkout_started", "the checkout form is sent from the cart", ["items", "value", "currency"]),
        "phrase": {"en": "shop with confidence", "es": "comprar con confianza"},
        "kpi": {"en": "Online conversion rate: 2.5% or more", "es": "Tasa de conversión en línea: 2.5% o más"},
    },
    "leads": {
        "words": ("lead", "quote", "client", "prospect", "contact"),
        "page": ("contact", "services", "book"),
        "cta": {"en": "Get a free proposal", "es": "Pide tu propuesta gratis"},
        "event": ("lead_form_submitted", "the contact form is sent", ["service", "company_size"]),
        "phrase": {"en": "get expert help", "es": "recibir ayuda experta"},
        "kpi": {
            "en": "Qualified leads per month: +40% in 90 days",
            "es": "Prospectos calificados por mes: +40% en 90 días",
        },
    },
    "engagement": {
        "words": ("engag", "user", "retention", "active", "signup", "sign up"),
        "page": ("pricing", "plans", "dashboard"),
        "cta": {"en": "Start free", "es": "Empieza gratis"},
        "event": ("signup_started", "a plan's sign-up button is clicked", ["plan", "source"]),
        "phrase": {"en": "reach your goals", "es": "alcanzar tus metas"},
        "kpi": {"en": "Weekly active users: +25% in 90 days", "es": "Usuarios activos por semana: +25% en 90 días"},
    },
    "awareness": {
        "words": ("aware", "brand", "visib", "reach", "marca"),
        "page": ("products", "gallery", "blog"),
        "cta": {"en": "Discover the collection", "es": "Descubre la colección"},
        "event": ("newsletter_signup", "the newsletter form is sent", ["source"]),
        "phrase": {"en": "discover something special", "es": "descubrir algo especial"},
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
            "en": ("{offer_cap}", "Why teams choose {name}"),
            "es": ("{offer_cap}", "Por qué los equipos eligen {name}"),
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
        "social_proof": "What people say",
        "faq": "Frequently asked questions",
        "pricing": "Plans and pricing",
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
        "cta": "Ready when you are",
        "features_intro": "What makes {name} different: {offer}, with care in every detail and nothing you do not need.",
        "steps_intro": "Three simple steps, and you are ready to {goal_short}.",
        "proof_intro": "Real words from real customers who chose {name} and keep coming back.",
        "faq_intro": "Quick answers to the questions we hear most. Anything else? Just ask us.",
        "booking_form": "Book your spot",
        "menu_intro": "Prices include tax. Ask us about today's specials.",
        "reservation_intro": "Tell us when you are coming and how many you are; we confirm by email.",
        "products_intro": "Chosen with care, delivered fast.",
        "cart_intro": "Review your order and continue to secure checkout.",
        "dashboard_intro": "A preview of the dashboard you get from day one.",
        "services_intro": "Services designed around your goals.",
        "contact_intro": "Send us a message and we will reply within one working day.",
        "gallery_intro": "A look at our work.",
        "blog_intro": "Ideas, news and guides from the {name} team.",
        "pricing_intro": "Simple plans, no hidden fees: pick the one that fits and change it whenever you like.",
        "cta_intro": "{cta} today: it takes less than a minute, and the {name} team takes it from there.",
        "tiers": "Essential|A first consultation; a written proposal; one delivery|from {cur}{p1}||Plus|Everything in Essential; priority scheduling; a monthly check-in|from {cur}{p2}||Premium|Everything in Plus; a dedicated contact; extended support|from {cur}{p3}",
        "cart_qty": "Quantity: 1",
        "reservation_intro_home": "Skip the queue: save your place right here, in under a minute.",
        "hero_sub_a": "Everything at {name} is built so you can {goal_short}.",
        "hero_sub_b": "Join the customers who already chose {name}.",
        "plans_intro": "Every plan in detail: compare them side by side and upgrade whenever you need to.",
        "plans_extra": "cancel any time, no questions asked",
        "cta_intro_page": "Questions about {page_label_lower}? {cta}: the {name} team answers within one working day.",
        "proof_intro_page": "More customers on what it is like to work with {name}.",
        "testimonials_more": "Chris D., customer since last year|I found {name} online and it was the best decision of my year.||Helen M., neighbour in {geo}|Friendly people, clear answers and exactly what they promised.||Sam O., first-time customer|It was easy to {goal_short}. I have already recommended {name} to friends.",
        "faq_extra": "How can I reach {name}?|Write to us from this website or on social media; we answer every message within one working day.||Why choose {name}?|Because we offer {offer}, in a style that is {style}, with one goal: to help you {goal_short}.",
        "about_p1": "{name} offers {offer} in {geo}. We started with one idea: do the simple things very well.",
        "about_p2": "Our style is {style}, and everything we do serves one promise: to help you {goal_short}.",
        "page_generic": "{page_label} at {name}",
        "page_generic_p": "Everything you need to know about {page_label_lower} at {name}, in {geo}.",
    },
    "es": {
        "home": "Inicio",
        "features": "Por qué {name}",
        "how_it_works": "Cómo funciona",
        "social_proof": "Lo que dicen de nosotros",
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
        "cta": "Te estamos esperando",
        "features_intro": "Lo que hace diferente a {name}: {offer}, con cuidado en cada detalle y nada que no necesites.",
        "steps_intro": "Tres pasos sencillos, y listo para {goal_short}.",
        "proof_intro": "Palabras reales de clientes que eligieron {name} y siempre regresan.",
        "faq_intro": "Respuestas rápidas a las preguntas que más escuchamos. ¿Algo más? Solo pregúntanos.",
        "booking_form": "Reserva tu lugar",
        "menu_intro": "Precios con impuestos incluidos. Pregunta por las especialidades del día.",
        "reservation_intro": "Dinos cuándo vienes y cuántos son; te confirmamos por correo.",
        "products_intro": "Elegidos con cuidado, entregados rápido.",
        "cart_intro": "Revisa tu pedido y continúa al pago seguro.",
        "dashboard_intro": "Una vista previa del panel que tendrás desde el primer día.",
        "services_intro": "Servicios pensados para tus objetivos.",
        "contact_intro": "Envíanos un mensaje y te respondemos en un día hábil.",
        "gallery_intro": "Un vistazo a nuestro trabajo.",
        "blog_intro": "Ideas, novedades y guías del equipo de {name}.",
        "pricing_intro": "Planes sencillos, sin costos ocultos: elige el que te quede y cámbialo cuando quieras.",
        "cta_intro": "{cta} hoy: toma menos de un minuto, y el equipo de {name} se encarga del resto.",
        "tiers": "Esencial|Una primera consulta; una propuesta por escrito; una entrega|desde {cur}{p1}||Plus|Todo lo de Esencial; prioridad en la agenda; una revisión mensual|desde {cur}{p2}||Premium|Todo lo de Plus; un contacto dedicado; soporte extendido|desde {cur}{p3}",
        "cart_qty": "Cantidad: 1",
        "reservation_intro_home": "Sáltate la fila: aparta tu lugar aquí mismo, en menos de un minuto.",
        "hero_sub_a": "En {name} todo está pensado para {goal_short}.",
        "hero_sub_b": "Únete a quienes ya eligieron {name}.",
        "plans_intro": "Cada plan en detalle: compáralos lado a lado y cambia cuando lo necesites.",
        "plans_extra": "cancela cuando quieras, sin preguntas",
        "cta_intro_page": "¿Dudas sobre {page_label_lower}? {cta}: el equipo de {name} responde en un día hábil.",
        "proof_intro_page": "Más clientes cuentan cómo es trabajar con {name}.",
        "testimonials_more": "Cristina D., clienta desde el año pasado|Encontré a {name} en internet y fue la mejor decisión de mi año.||Elena M., vecina de {geo}|Gente amable, respuestas claras y exactamente lo que prometieron.||Samuel O., cliente nuevo|Fue muy fácil {goal_short}. Ya recomendé {name} a mis amigos.",
        "faq_extra": "¿Cómo contacto a {name}?|Escríbenos desde este sitio o en redes sociales; respondemos cada mensaje en un día hábil.||¿Por qué elegir {name}?|Porque ofrecemos {offer}, con un estilo {style}, y una meta: ayudarte a {goal_short}.",
        "about_p1": "{name} ofrece {offer} en {geo}. Empezamos con una idea: hacer muy bien las cosas sencillas.",
        "about_p2": "Nuestro estilo es {style}, y todo lo que hacemos cumple una promesa: ayudarte a {goal_short}.",
        "page_generic": "{page_label} en {name}",
        "page_generic_p": "Todo lo que necesitas saber sobre {page_label_lower} en {name}, en {geo}.",
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

BLOG_POSTS = {
    "en": [
        (
            "{n} reasons to choose {name}",
            "2026-01-15",
            [
                "At {name} we think about one thing every day: how to help you {goal_short}. Here is what we have learned.",
                "First, keep it simple. The best experience is the one that asks the least of you, which is why everything at {name} is built to take a minute, not an hour.",
                "Second, listen. Every suggestion from our customers in {geo} has shaped what we offer today, and we keep asking.",
            ],
        ),
        (
            "Behind the scenes at {name}",
            "2026-02-03",
            [
                "Ever wondered what happens before you see us? This is a short tour.",
                "Our day starts early: we prepare, check and test so that what reaches you is exactly right.",
                "The team is small and proud of its work. Come and say hello; we love meeting the people we do this for.",
            ],
        ),
        (
            "Your guide to {industry} in {geo}",
            "2026-03-10",
            [
                "New to {industry}? This guide covers the questions we hear most often.",
                "Start by knowing what you want: a clear goal makes every choice easier, from budget to timing.",
                "Then compare honestly: price matters, but so do service, quality and how you are treated when something goes wrong.",
            ],
        ),
    ],
    "es": [
        (
            "{n} razones para elegir {name}",
            "2026-01-15",
            [
                "En {name} pensamos en una cosa todos los días: cómo ayudarte a {goal_short}. Esto es lo que hemos aprendido.",
                "Primero, mantenerlo simple. La mejor experiencia es la que menos te pide, por eso en {name} todo toma un minuto, no una hora.",
                "Segundo, escuchar. Cada sugerencia de nuestros clientes en {geo} ha dado forma a lo que ofrecemos hoy, y seguimos preguntando.",
            ],
        ),
        (
            "Detrás de escena en {name}",
            "2026-02-03",
            [
                "¿Te has preguntado qué pasa antes de que nos veas? Este es un pequeño recorrido.",
                "Nuestro día empieza temprano: preparamos, revisamos y probamos para que lo que te llega sea exactamente lo correcto.",
                "El equipo es pequeño y está orgulloso de su trabajo. Ven a saludar; nos encanta conocer a las personas para quienes hacemos esto.",
            ],
        ),
        (
            "Guía de {industry} en {geo}",
            "2026-03-10",
            [
                "¿Eres nuevo en {industry}? Esta guía responde las preguntas que más escuchamos.",
                "Empieza por saber lo que quieres: un objetivo claro facilita cada decisión, del presupuesto a los tiempos.",
                "Después compara con honestidad: el precio importa, pero también el servicio, la calidad y cómo te tratan cuando algo sale mal.",
            ],
        ),
    ],
}
