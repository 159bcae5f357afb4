"""Industry profiles of the offline generator: each sector's vocabulary, in English and Spanish.

The rule every string here follows: it claims nothing about the business that the brief does not
say. No people, quotes, ratings, prices, figures, durations, policies, history, sourcing, staff or
awards: those come only from the brief's facts (deznity_assets/facts.py). What is left is what
any business of the sector can say truthfully: what it is about, what a visitor can do, and
advice from the visitor's side (what to ask, what to prepare, how to choose).

Keys of a profile (strings may use {name}, {geo}, {in_geo}, {industry}, {offer}, {cta}):
  offer        what the business does, as a noun phrase
  provider     what the business is called in a sentence ("a restaurant")
  catalogue    what its offers are called ("dishes"), for the pages that list them
  features     four (title, text): the sector's promise, in the visitor's terms
  steps        three (title, text): the visitor's path
  faq          three (question, answer): advice a visitor can use anywhere
  questions    three questions to ask before choosing such a business (a blog post)
  gallery      six (title, caption) themes for a gallery of illustrations
  cta          goal kind -> the sector's own call to action
  phrase       goal kind -> what the site helps a visitor do, in the sector's words
  dashboard    (software only) what its dashboard shows, without values
  audience, competitors, keywords: the market analysis (not shown on the site)
"""

from __future__ import annotations

from typing import Any

PROFILES: dict[str, dict[str, dict[str, Any]]] = {
    "restaurant": {
        "en": {
            "offer": "good food and a table to share",
            "provider": "a restaurant",
            "catalogue": "dishes",
            "features": [
                (
                    "A table for every occasion",
                    "Come as a couple, with friends or with the whole family: say when, and your table is planned for you.",
                ),
                (
                    "Plates worth sharing",
                    "Order for the table, pass the plates round and find your favourite together.",
                ),
                (
                    "Good company",
                    "A place for long lunches, easy dinners and the celebrations worth getting together for.",
                ),
                (
                    "Plan it from your phone",
                    "Choose the day, the time and how many of you are coming, whenever it suits you.",
                ),
            ],
            "steps": [
                ("Pick a day and a time", "Choose when you are coming and how many of you there are."),
                ("Add a note", "Allergies, a birthday, a high chair: tell us before you arrive."),
                ("Come hungry", "Sit down, order and enjoy the meal."),
            ],
            "faq": [
                (
                    "What should I mention when I book?",
                    "How many you are, any allergies or dietary needs, and whether you are celebrating something: it helps the kitchen and the floor team prepare.",
                ),
                (
                    "How do I choose what to order with a group?",
                    "Ask for a few plates to share first, then add what the table enjoyed most.",
                ),
                (
                    "Can I ask about ingredients?",
                    "Always: ask the team about any dish, what is in it and how it is prepared.",
                ),
            ],
            "questions": [
                "Can they take care of allergies and dietary needs?",
                "Is the place right for the occasion, from a quick lunch to a birthday?",
                "How easy is it to book, and to change a booking?",
            ],
            "gallery": [
                ("At the table", "Plates to share and good company."),
                ("In the kitchen", "Where every order begins."),
                ("The dining room", "A table waiting for you."),
                ("Flavours", "Colours and textures of the menu."),
                ("Drinks", "Something fresh to go with the meal."),
                ("Celebrations", "Long tables for the big days."),
            ],
            "cta": {
                "reservations": "Book a table",
                "sales": "Order now",
                "awareness": "See the menu",
                "leads": "Plan your event",
                "growth": "Book a table",
            },
            "phrase": {
                "reservations": "book a table in a few taps",
                "awareness": "find your next favourite dish",
                "growth": "plan your next meal out",
            },
            "audience": [
                ("Locals after a good meal", "tasty food close to home", ["Instagram", "Google Maps"]),
                ("Groups and celebrations", "space, shared plates and easy booking", ["WhatsApp", "Instagram"]),
                ("Visitors", "a place worth the trip", ["Google Maps", "TikTok"]),
            ],
            "competitors": [
                ("Chain restaurants", "known brands and many locations", "generic food and little personality"),
                ("Food delivery apps", "convenience at home", "no table, no atmosphere"),
                ("Neighbourhood stalls", "low prices", "no booking and no seating"),
            ],
            "keywords": [
                "restaurant {geo}",
                "where to eat {geo}",
                "book a table {geo}",
                "dinner {geo}",
                "group dinner {geo}",
            ],
        },
        "es": {
            "offer": "buena comida y una mesa para compartir",
            "provider": "un restaurante",
            "catalogue": "platos",
            "features": [
                (
                    "Una mesa para cada ocasión",
                    "Ven en pareja, con amigos o con toda la familia: dinos cuándo y tu mesa queda apartada.",
                ),
                ("Platos para compartir", "Pide para la mesa, pasa los platos y encuentra tu favorito en compañía."),
                ("Buena compañía", "Un lugar para comidas largas, cenas tranquilas y celebraciones que valen la pena."),
                ("Todo desde tu celular", "Elige el día, la hora y cuántos vienen, cuando mejor te acomode."),
            ],
            "steps": [
                ("Elige día y hora", "Dinos cuándo vienes y cuántas personas son."),
                ("Deja una nota", "Alergias, un cumpleaños, una silla para bebé: cuéntanos antes de llegar."),
                ("Llega con hambre", "Siéntate, pide y disfruta la comida."),
            ],
            "faq": [
                (
                    "¿Qué conviene indicar al reservar?",
                    "Cuántas personas son, si hay alergias o dietas especiales y si celebran algo: así la cocina y el equipo de sala se preparan.",
                ),
                (
                    "¿Cómo elegir qué pedir en grupo?",
                    "Pide primero algunos platos para compartir y luego repite lo que más le gustó a la mesa.",
                ),
                (
                    "¿Puedo preguntar por los ingredientes?",
                    "Siempre: pregunta al equipo por cualquier plato, qué lleva y cómo se prepara.",
                ),
            ],
            "questions": [
                "¿Pueden atender alergias y dietas especiales?",
                "¿El lugar va con la ocasión, de una comida rápida a un cumpleaños?",
                "¿Qué tan fácil es reservar y cambiar una reserva?",
            ],
            "gallery": [
                ("En la mesa", "Platos para compartir y buena compañía."),
                ("En la cocina", "Donde empieza cada pedido."),
                ("El salón", "Una mesa que te espera."),
                ("Sabores", "Colores y texturas del menú."),
                ("Bebidas", "Algo fresco para acompañar."),
                ("Celebraciones", "Mesas largas para los grandes días."),
            ],
            "cta": {
                "reservations": "Reserva tu mesa",
                "sales": "Haz tu pedido",
                "awareness": "Mira el menú",
                "leads": "Organiza tu evento",
                "growth": "Reserva tu mesa",
            },
            "phrase": {
                "reservations": "reservar tu mesa sin complicaciones",
                "awareness": "descubrir tu próximo plato favorito",
                "growth": "planear tu próxima comida fuera",
            },
            "audience": [
                ("Vecinos con antojo", "comida rica cerca de casa", ["Instagram", "Google Maps"]),
                ("Grupos y celebraciones", "espacio, platos para compartir y reserva fácil", ["WhatsApp", "Instagram"]),
                ("Visitantes", "un lugar que valga la visita", ["Google Maps", "TikTok"]),
            ],
            "competitors": [
                (
                    "Cadenas de restaurantes",
                    "marcas conocidas y muchas sucursales",
                    "comida genérica y poca personalidad",
                ),
                ("Apps de entrega a domicilio", "comodidad en casa", "sin mesa y sin ambiente"),
                ("Puestos del barrio", "precios bajos", "sin reservas y sin mesas"),
            ],
            "keywords": [
                "restaurante {geo}",
                "dónde comer {geo}",
                "reservar mesa {geo}",
                "cena {geo}",
                "comida en grupo {geo}",
            ],
        },
    },
    "saas": {
        "en": {
            "offer": "software that makes progress easy to see",
            "provider": "a software tool",
            "catalogue": "plans",
            "features": [
                (
                    "Everything in one view",
                    "The numbers you care about, side by side, without digging through spreadsheets.",
                ),
                ("Goals you can follow", "Set a target, see where you stand and decide what to do next."),
                ("Built for teams", "Invite the people you work with and keep everyone looking at the same picture."),
                ("Works with your tools", "Bring in the data you already have instead of typing it again."),
            ],
            "steps": [
                ("Create your account", "Sign up with your email and choose a name for your workspace."),
                ("Bring in your data", "Connect the sources you use or add your first entries by hand."),
                ("Follow your progress", "Check the dashboard, adjust your goals and share what works."),
            ],
            "faq": [
                (
                    "What should I look for in a tool like this?",
                    "Clear views of your own data, easy exports, and a way to invite the people who need to see it.",
                ),
                (
                    "Who owns the data I add?",
                    "Ask any software provider this before you sign up; at {name} you can ask us directly and get the answer in writing.",
                ),
                (
                    "How do I know it fits my team?",
                    "Start with one goal and one team, use it for a few weeks, then decide whether to roll it out.",
                ),
            ],
            "questions": [
                "Can I export my data whenever I want?",
                "Does it connect to the tools my team already uses?",
                "Who can see what, and how are permissions set?",
            ],
            "gallery": [
                ("The dashboard", "Everything in one view."),
                ("Goals", "Targets you can follow."),
                ("Team space", "One picture for everyone."),
                ("Reports", "Share what works."),
                ("Integrations", "Your data, brought in."),
                ("On the go", "Check in from your phone."),
            ],
            "dashboard": [
                ("Your progress", "Where you stand against the goal you set."),
                ("Your trend", "How this period compares with the last one."),
                ("Your activity", "What you and your team logged, day by day."),
                ("Your goals", "Each target, with what is left to reach it."),
            ],
            "cta": {
                "engagement": "Create your account",
                "sales": "Choose your plan",
                "leads": "Request a demo",
                "awareness": "See how it works",
                "growth": "Create your account",
            },
            "phrase": {
                "engagement": "reach your goals",
                "leads": "see if it fits your team",
                "awareness": "see your progress clearly",
            },
            "audience": [
                ("Self-improvers", "clear progress and motivation", ["Instagram", "YouTube"]),
                ("Teams and coaches", "shared goals and accountability", ["LinkedIn", "Email"]),
                ("Data lovers", "deep metrics and exports", ["Reddit", "Product Hunt"]),
            ],
            "competitors": [
                ("All-in-one suites", "many features in one place", "complex and slow to set up"),
                ("Spreadsheets", "flexible and familiar", "manual work and no motivation"),
                ("Single-purpose apps", "simple to start", "data stuck in silos"),
            ],
            "keywords": [
                "progress tracking app",
                "goal tracking software",
                "habit dashboard",
                "team goals app",
                "analytics dashboard",
            ],
        },
        "es": {
            "offer": "software que hace visible tu progreso",
            "provider": "una herramienta de software",
            "catalogue": "planes",
            "features": [
                (
                    "Todo en una vista",
                    "Los números que te importan, uno al lado del otro, sin buscar entre hojas de cálculo.",
                ),
                ("Metas que puedes seguir", "Define un objetivo, mira dónde estás y decide el siguiente paso."),
                ("Pensado para equipos", "Invita a quienes trabajan contigo y que todos vean el mismo panorama."),
                ("Se conecta con tus herramientas", "Trae los datos que ya tienes en lugar de escribirlos otra vez."),
            ],
            "steps": [
                ("Crea tu cuenta", "Regístrate con tu correo y ponle nombre a tu espacio de trabajo."),
                ("Trae tus datos", "Conecta tus fuentes o agrega tus primeros registros a mano."),
                ("Sigue tu progreso", "Revisa el panel, ajusta tus metas y comparte lo que funciona."),
            ],
            "faq": [
                (
                    "¿Qué buscar en una herramienta así?",
                    "Vistas claras de tus propios datos, exportaciones sencillas y una forma de invitar a quien necesite verlos.",
                ),
                (
                    "¿De quién son los datos que agrego?",
                    "Pregúntalo a cualquier proveedor de software antes de registrarte; en {name} puedes preguntarnos directamente y recibir la respuesta por escrito.",
                ),
                (
                    "¿Cómo sé si le sirve a mi equipo?",
                    "Empieza con una meta y un equipo, úsalo unas semanas y después decide si lo extiendes.",
                ),
            ],
            "questions": [
                "¿Puedo exportar mis datos cuando quiera?",
                "¿Se conecta con las herramientas que ya usa mi equipo?",
                "¿Quién puede ver qué y cómo se asignan los permisos?",
            ],
            "gallery": [
                ("El panel", "Todo en una vista."),
                ("Metas", "Objetivos que puedes seguir."),
                ("Espacio del equipo", "El mismo panorama para todos."),
                ("Informes", "Comparte lo que funciona."),
                ("Integraciones", "Tus datos, en un solo lugar."),
                ("Desde el celular", "Revisa tu avance donde estés."),
            ],
            "dashboard": [
                ("Tu progreso", "Dónde estás frente a la meta que definiste."),
                ("Tu tendencia", "Cómo se compara este periodo con el anterior."),
                ("Tu actividad", "Lo que tú y tu equipo registraron, día a día."),
                ("Tus metas", "Cada objetivo, con lo que falta para alcanzarlo."),
            ],
            "cta": {
                "engagement": "Crea tu cuenta",
                "sales": "Elige tu plan",
                "leads": "Pide una demostración",
                "awareness": "Mira cómo funciona",
                "growth": "Crea tu cuenta",
            },
            "phrase": {
                "engagement": "alcanzar tus metas",
                "leads": "ver si le sirve a tu equipo",
                "awareness": "ver tu progreso con claridad",
            },
            "audience": [
                ("Personas que quieren mejorar", "progreso claro y motivación", ["Instagram", "YouTube"]),
                ("Equipos y entrenadores", "metas compartidas y compromiso", ["LinkedIn", "Correo"]),
                ("Amantes de los datos", "métricas a fondo y exportaciones", ["Reddit", "Product Hunt"]),
            ],
            "competitors": [
                ("Suites todo en uno", "muchas funciones en un solo lugar", "complejas y lentas de configurar"),
                ("Hojas de cálculo", "flexibles y conocidas", "trabajo manual y poca motivación"),
                ("Apps de un solo uso", "fáciles de empezar", "datos aislados"),
            ],
            "keywords": [
                "app de seguimiento de metas",
                "software de objetivos",
                "panel de hábitos",
                "app de metas para equipos",
                "panel de analítica",
            ],
        },
    },
    "ecommerce": {
        "en": {
            "offer": "products chosen with care, ordered online",
            "provider": "an online shop",
            "catalogue": "products",
            "features": [
                ("Chosen with care", "A collection put together for people who prefer fewer, better things."),
                ("Clear descriptions", "What each product is, what it is made of and who it is for, in plain words."),
                ("Simple checkout", "Add what you like to your cart and order in a few steps."),
                ("Good gifts", "Ideas for the people you want to surprise, whatever the occasion."),
            ],
            "steps": [
                ("Browse the collection", "Read the descriptions and pick what fits you."),
                ("Add to your cart", "Review your order and your delivery details."),
                ("Enjoy it at home", "Your order is prepared and sent to the address you give."),
            ],
            "faq": [
                (
                    "How do I choose the right product?",
                    "Read the description, check what it is made of and think of how you will use it; if in doubt, ask us before you order.",
                ),
                (
                    "What should I check before I pay?",
                    "The items in your cart, the delivery address and the delivery and return conditions shown at checkout.",
                ),
                (
                    "Can I ask a question about a product?",
                    "Yes: write to us with the product's name and your question, and we answer by email.",
                ),
            ],
            "questions": [
                "Are the delivery and return conditions clear before I pay?",
                "Do the descriptions say what the product is made of?",
                "Is there someone to ask when I have a question?",
            ],
            "gallery": [
                ("The collection", "Chosen with care."),
                ("Details", "Materials and finishes."),
                ("At home", "Made to be used."),
                ("Gift ideas", "For the people you love."),
                ("New in", "The latest additions."),
                ("Packed for you", "Ready to send."),
            ],
            "cta": {
                "sales": "Shop the collection",
                "awareness": "Discover the collection",
                "leads": "Ask about a product",
                "growth": "Shop the collection",
            },
            "phrase": {"sales": "shop with confidence", "awareness": "discover something you will keep"},
            "audience": [
                ("Conscious shoppers", "fewer, better things", ["Instagram", "Pinterest"]),
                ("Gift buyers", "ready-to-give ideas", ["Pinterest", "Email"]),
                ("Returning customers", "easy reordering", ["Email", "SMS"]),
            ],
            "competitors": [
                ("Marketplaces", "huge selection", "no curation and anonymous sellers"),
                ("Department stores", "trust and physical shops", "a limited online experience"),
                ("Other online brands", "a strong social presence", "vague product information"),
            ],
            "keywords": [
                "buy online {geo}",
                "online shop {geo}",
                "gift ideas",
                "curated products",
                "online store {geo}",
            ],
        },
        "es": {
            "offer": "productos elegidos con cuidado, para pedir en línea",
            "provider": "una tienda en línea",
            "catalogue": "productos",
            "features": [
                ("Elegidos con cuidado", "Una colección pensada para quienes prefieren menos cosas, pero mejores."),
                (
                    "Descripciones claras",
                    "Qué es cada producto, de qué está hecho y para quién es, en palabras sencillas.",
                ),
                ("Compra sencilla", "Agrega lo que te guste al carrito y haz tu pedido en pocos pasos."),
                ("Buenos regalos", "Ideas para sorprender a quien quieras, sea cual sea la ocasión."),
            ],
            "steps": [
                ("Explora la colección", "Lee las descripciones y elige lo que va contigo."),
                ("Agrega al carrito", "Revisa tu pedido y tus datos de entrega."),
                ("Disfrútalo en casa", "Tu pedido se prepara y se envía a la dirección que indiques."),
            ],
            "faq": [
                (
                    "¿Cómo elijo el producto adecuado?",
                    "Lee la descripción, revisa de qué está hecho y piensa cómo lo vas a usar; si tienes dudas, pregúntanos antes de pedir.",
                ),
                (
                    "¿Qué revisar antes de pagar?",
                    "Los artículos del carrito, la dirección de entrega y las condiciones de envío y devolución que aparecen al pagar.",
                ),
                (
                    "¿Puedo preguntar por un producto?",
                    "Sí: escríbenos con el nombre del producto y tu duda, y te respondemos por correo.",
                ),
            ],
            "questions": [
                "¿Las condiciones de envío y devolución están claras antes de pagar?",
                "¿Las descripciones dicen de qué está hecho el producto?",
                "¿Hay alguien a quien preguntar cuando tengo una duda?",
            ],
            "gallery": [
                ("La colección", "Elegida con cuidado."),
                ("Detalles", "Materiales y acabados."),
                ("En casa", "Hecho para usarse."),
                ("Ideas de regalo", "Para quienes quieres."),
                ("Novedades", "Lo más reciente."),
                ("Listo para enviar", "Empacado para ti."),
            ],
            "cta": {
                "sales": "Compra ahora",
                "awareness": "Descubre la colección",
                "leads": "Pregunta por un producto",
                "growth": "Compra ahora",
            },
            "phrase": {"sales": "comprar con confianza", "awareness": "descubrir algo que vas a conservar"},
            "audience": [
                ("Compradores conscientes", "menos cosas, pero mejores", ["Instagram", "Pinterest"]),
                ("Quienes buscan regalos", "ideas listas para regalar", ["Pinterest", "Correo"]),
                ("Clientes que vuelven", "pedidos fáciles de repetir", ["Correo", "SMS"]),
            ],
            "competitors": [
                ("Grandes plataformas", "enorme variedad", "sin curaduría y vendedores anónimos"),
                ("Tiendas departamentales", "confianza y tiendas físicas", "poca experiencia en línea"),
                ("Otras marcas en línea", "mucha presencia en redes", "información vaga de los productos"),
            ],
            "keywords": [
                "comprar en línea {geo}",
                "tienda en línea {geo}",
                "ideas de regalo",
                "productos seleccionados",
                "tienda online {geo}",
            ],
        },
    },
    "tech": {
        "en": {
            "offer": "technology projects planned with you, step by step",
            "provider": "a technology partner",
            "catalogue": "services",
            "features": [
                ("Your problem first", "We start from what you need to achieve, not from a favourite technology."),
                (
                    "Plans you can follow",
                    "Clear milestones and regular demos, so you always know where the project stands.",
                ),
                ("Built to grow", "Systems designed to be secure, observable and easy to change later."),
                ("Your team included", "We document as we go and hand over what your people need to run it."),
            ],
            "steps": [
                ("Tell us the problem", "Describe what you want to achieve and what is in the way."),
                ("Get a written proposal", "Scope, milestones and a price, in plain language."),
                ("Build it together", "Regular releases and demos until it is live."),
            ],
            "faq": [
                (
                    "What should I prepare before a first call?",
                    "A short description of the problem, who uses the current system and what a good result would look like for you.",
                ),
                (
                    "Who should own the code and the accounts?",
                    "You should: ask any provider to put repositories, domains and cloud accounts in your company's name from day one.",
                ),
                (
                    "How do I compare two proposals?",
                    "Look at the scope, the milestones, what is excluded and who does the work, not only at the total.",
                ),
            ],
            "questions": [
                "Who will actually work on my project?",
                "Will my company own the code, the domains and the accounts?",
                "How will I see progress before the end of the project?",
            ],
            "gallery": [
                ("Discovery", "Understanding the problem."),
                ("Architecture", "Planning what to build."),
                ("Delivery", "Release after release."),
                ("Quality", "Tested before it ships."),
                ("Handover", "Your team, ready to run it."),
                ("Support", "Improving what is live."),
            ],
            "cta": {
                "leads": "Ask for a proposal",
                "sales": "Start a project",
                "engagement": "Talk to the team",
                "awareness": "See what we do",
                "growth": "Talk to the team",
            },
            "phrase": {
                "leads": "get expert help",
                "awareness": "see what technology can do for you",
                "growth": "move your project forward",
            },
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
        "es": {
            "offer": "proyectos de tecnología planeados contigo, paso a paso",
            "provider": "un socio tecnológico",
            "catalogue": "servicios",
            "features": [
                ("Primero tu problema", "Partimos de lo que necesitas lograr, no de una tecnología favorita."),
                (
                    "Planes que puedes seguir",
                    "Hitos claros y demostraciones periódicas, para que siempre sepas cómo va el proyecto.",
                ),
                ("Hecho para crecer", "Sistemas pensados para ser seguros, observables y fáciles de cambiar después."),
                ("Con tu equipo", "Documentamos sobre la marcha y entregamos lo que tu gente necesita para operarlo."),
            ],
            "steps": [
                ("Cuéntanos el problema", "Describe lo que quieres lograr y qué lo está frenando."),
                ("Recibe una propuesta escrita", "Alcance, hitos y precio, en lenguaje claro."),
                ("Construyámoslo juntos", "Entregas y demostraciones periódicas hasta que esté en producción."),
            ],
            "faq": [
                (
                    "¿Qué preparar antes de una primera llamada?",
                    "Una descripción breve del problema, quién usa el sistema actual y cómo sería un buen resultado para ti.",
                ),
                (
                    "¿Quién debe ser dueño del código y las cuentas?",
                    "Tu empresa: pide a cualquier proveedor que repositorios, dominios y cuentas en la nube estén a su nombre desde el primer día.",
                ),
                (
                    "¿Cómo comparo dos propuestas?",
                    "Mira el alcance, los hitos, lo que queda fuera y quién hace el trabajo, no solo el total.",
                ),
            ],
            "questions": [
                "¿Quién trabajará realmente en mi proyecto?",
                "¿Mi empresa será dueña del código, los dominios y las cuentas?",
                "¿Cómo veré el avance antes del final del proyecto?",
            ],
            "gallery": [
                ("Descubrimiento", "Entender el problema."),
                ("Arquitectura", "Planear lo que se construye."),
                ("Entrega", "Versión tras versión."),
                ("Calidad", "Probado antes de publicarse."),
                ("Traspaso", "Tu equipo, listo para operarlo."),
                ("Soporte", "Mejorar lo que ya funciona."),
            ],
            "cta": {
                "leads": "Pide una propuesta",
                "sales": "Empieza un proyecto",
                "engagement": "Habla con el equipo",
                "awareness": "Mira lo que hacemos",
                "growth": "Habla con el equipo",
            },
            "phrase": {
                "leads": "recibir ayuda experta",
                "awareness": "ver lo que la tecnología puede hacer por ti",
                "growth": "impulsar tu proyecto",
            },
            "audience": [
                ("Empresas en crecimiento", "un socio técnico confiable", ["LinkedIn", "Correo"]),
                ("Fundadores de startups", "rapidez de la idea al producto", ["LinkedIn", "X"]),
                ("Responsables de sistemas", "modernizarse sin riesgos", ["LinkedIn", "Eventos"]),
            ],
            "competitors": [
                ("Grandes consultoras", "marca y capacidad", "caras y lentas"),
                ("Independientes", "tarifas bajas", "capacidad y continuidad limitadas"),
                ("Agencias en el extranjero", "horas baratas", "husos horarios y riesgo de calidad"),
            ],
            "keywords": [
                "desarrollo de software {geo}",
                "consultoría tecnológica",
                "migración a la nube",
                "agencia de desarrollo de producto",
                "servicios de TI {geo}",
            ],
        },
    },
    "beauty": {
        "en": {
            "offer": "beauty care with time for you",
            "provider": "a beauty studio",
            "catalogue": "treatments and products",
            "features": [
                (
                    "Care that listens",
                    "Tell us about your skin, your hair and the result you hope for before anything begins.",
                ),
                ("A moment for yourself", "An unhurried visit, in a calm place, with your comfort in mind."),
                ("Advice for every day", "Leave with simple tips to keep the result at home."),
                ("Looks for every occasion", "From a fresh everyday look to the big day, planned with you."),
            ],
            "steps": [
                ("Choose what you want", "Pick a treatment or tell us what you are looking for."),
                ("Pick your moment", "Send your preferred day and time."),
                ("Relax and enjoy", "Come in, sit back and enjoy your time."),
            ],
            "faq": [
                (
                    "What should I mention before a treatment?",
                    "Your skin or hair type, anything you are allergic or sensitive to, and any treatment you are following.",
                ),
                (
                    "How do I choose between two treatments?",
                    "Tell us the result you want and how much time you have; we suggest the option that fits.",
                ),
                (
                    "How do I make the result last?",
                    "Ask for home-care advice at the end of your visit and follow it for the first days.",
                ),
            ],
            "questions": [
                "Do they ask about allergies and sensitivities first?",
                "Do they explain what each treatment involves before starting?",
                "Will I get advice to keep the result at home?",
            ],
            "gallery": [
                ("Textures", "Care for skin and hair."),
                ("Colour", "Shades for every style."),
                ("Rituals", "A moment for yourself."),
                ("Details", "Finishing touches."),
                ("The studio", "A calm place to unwind."),
                ("Special days", "Looks for the big occasions."),
            ],
            "cta": {
                "reservations": "Book your appointment",
                "sales": "Shop beauty",
                "awareness": "Discover our treatments",
                "leads": "Ask for advice",
                "growth": "Book your appointment",
            },
            "phrase": {
                "reservations": "book your appointment easily",
                "awareness": "find the care that suits you",
                "sales": "find the right care for you",
            },
            "audience": [
                ("Skincare lovers", "care they can trust", ["Instagram", "TikTok"]),
                ("Gift buyers", "elegant, ready-to-give options", ["Instagram", "Pinterest"]),
                ("Special occasions", "a look planned for the big day", ["Instagram", "WhatsApp"]),
            ],
            "competitors": [
                ("Chain salons", "many locations", "rushed, impersonal visits"),
                ("Luxury brands", "prestige", "high prices and little advice"),
                ("Multi-brand shops", "variety", "no personal advice"),
            ],
            "keywords": ["beauty salon {geo}", "skincare {geo}", "beauty treatments", "makeup {geo}", "beauty gifts"],
        },
        "es": {
            "offer": "cuidado de belleza con tiempo para ti",
            "provider": "un estudio de belleza",
            "catalogue": "tratamientos y productos",
            "features": [
                (
                    "Cuidado que escucha",
                    "Cuéntanos sobre tu piel, tu cabello y el resultado que buscas antes de empezar.",
                ),
                ("Un momento para ti", "Una visita sin prisas, en un lugar tranquilo, pensando en tu comodidad."),
                ("Consejos para cada día", "Llévate recomendaciones sencillas para mantener el resultado en casa."),
                ("Un look para cada ocasión", "De un look fresco para diario al gran día, planeado contigo."),
            ],
            "steps": [
                ("Elige lo que quieres", "Escoge un tratamiento o cuéntanos qué buscas."),
                ("Elige tu momento", "Envía el día y la hora que prefieres."),
                ("Relájate y disfruta", "Llega, ponte cómoda y disfruta tu tiempo."),
            ],
            "faq": [
                (
                    "¿Qué debo mencionar antes de un tratamiento?",
                    "Tu tipo de piel o de cabello, cualquier alergia o sensibilidad y los tratamientos que estés siguiendo.",
                ),
                (
                    "¿Cómo elijo entre dos tratamientos?",
                    "Cuéntanos el resultado que quieres y el tiempo que tienes; te sugerimos la opción que mejor te queda.",
                ),
                (
                    "¿Cómo hago que el resultado dure?",
                    "Pide consejos de cuidado en casa al final de tu visita y síguelos los primeros días.",
                ),
            ],
            "questions": [
                "¿Preguntan primero por alergias y sensibilidades?",
                "¿Explican qué incluye cada tratamiento antes de empezar?",
                "¿Me darán consejos para mantener el resultado en casa?",
            ],
            "gallery": [
                ("Texturas", "Cuidado para piel y cabello."),
                ("Color", "Tonos para cada estilo."),
                ("Rituales", "Un momento para ti."),
                ("Detalles", "Los toques finales."),
                ("El estudio", "Un lugar tranquilo para relajarte."),
                ("Días especiales", "Looks para las grandes ocasiones."),
            ],
            "cta": {
                "reservations": "Reserva tu cita",
                "sales": "Compra belleza",
                "awareness": "Descubre los tratamientos",
                "leads": "Pide una asesoría",
                "growth": "Reserva tu cita",
            },
            "phrase": {
                "reservations": "reservar tu cita fácilmente",
                "awareness": "encontrar el cuidado que te va",
                "sales": "encontrar el cuidado ideal para ti",
            },
            "audience": [
                ("Amantes del cuidado de la piel", "cuidado en el que puedan confiar", ["Instagram", "TikTok"]),
                ("Quienes buscan regalos", "opciones elegantes y listas para regalar", ["Instagram", "Pinterest"]),
                ("Ocasiones especiales", "un look planeado para el gran día", ["Instagram", "WhatsApp"]),
            ],
            "competitors": [
                ("Cadenas de salones", "muchas sucursales", "visitas con prisa e impersonales"),
                ("Marcas de lujo", "prestigio", "precios altos y poca asesoría"),
                ("Tiendas multimarca", "variedad", "sin asesoría personalizada"),
            ],
            "keywords": [
                "salón de belleza {geo}",
                "cuidado de la piel {geo}",
                "tratamientos de belleza",
                "maquillaje {geo}",
                "regalos de belleza",
            ],
        },
    },
    "health": {
        "en": {
            "offer": "health care that takes the time to listen",
            "provider": "a health practice",
            "catalogue": "consultations and services",
            "features": [
                ("Time to listen", "Explain what brings you in, in your own words, and ask every question you have."),
                ("Clear explanations", "Understand the options, what each involves and what to expect."),
                ("Your decision", "You choose what to do next, with the information you need."),
                ("Easy to reach", "Ask for an appointment or send a question from this site."),
            ],
            "steps": [
                ("Tell us the reason", "A few words on why you want an appointment; no medical details by email."),
                ("Choose a time", "Send the days and times that suit you."),
                ("Come to your appointment", "Bring your questions and any reports or prescriptions you have."),
            ],
            "faq": [
                (
                    "Is the information on this site medical advice?",
                    "No. It is general information and does not replace a consultation with a qualified health professional; results vary from person to person.",
                ),
                (
                    "What should I bring to a first appointment?",
                    "A list of your questions, the medicines you take, and any recent reports or test results.",
                ),
                (
                    "Can I send my medical details through the site?",
                    "Please do not: give only the reason for your visit, and share the details in person.",
                ),
            ],
            "questions": [
                "Are the professionals registered, and can I check it?",
                "Do they explain the options and what each one involves?",
                "How do they protect my personal and medical data?",
            ],
            "gallery": [
                ("Reception", "A calm welcome."),
                ("Consultation", "Time to talk."),
                ("Care", "Attention to the details."),
                ("Prevention", "Looking after yourself."),
                ("Questions", "Every one is welcome."),
                ("Follow-up", "Next steps, explained."),
            ],
            "cta": {
                "reservations": "Book an appointment",
                "leads": "Ask for an appointment",
                "awareness": "Get to know the practice",
                "engagement": "Ask for an appointment",
                "sales": "Ask for an appointment",
                "growth": "Ask for an appointment",
            },
            "phrase": {
                "reservations": "book an appointment without calling",
                "leads": "take the first step towards care",
                "awareness": "know where to turn",
                "growth": "take the first step towards care",
            },
            "audience": [
                ("People with a health question", "clear answers and someone to listen", ["Google", "Google Maps"]),
                ("Families", "a practice they can trust", ["Facebook", "WhatsApp"]),
                ("Patients who moved to the area", "a new practice nearby", ["Google Maps", "Google"]),
            ],
            "competitors": [
                ("Large hospitals", "many specialities", "long waits and little time per patient"),
                ("Online health information", "instant and free", "no diagnosis and often wrong"),
                ("Other local practices", "nearby", "hard to compare from the outside"),
            ],
            "keywords": [
                "{industry} {geo}",
                "health practice {geo}",
                "book an appointment {geo}",
                "health care {geo}",
                "medical appointment {geo}",
            ],
        },
        "es": {
            "offer": "atención de salud con tiempo para escucharte",
            "provider": "una consulta de salud",
            "catalogue": "consultas y servicios",
            "features": [
                (
                    "Tiempo para escucharte",
                    "Explica con tus palabras qué te trae y haz todas las preguntas que tengas.",
                ),
                ("Explicaciones claras", "Entiende las opciones, qué implica cada una y qué esperar."),
                ("Tú decides", "Eliges el siguiente paso, con la información que necesitas."),
                ("Fácil de contactar", "Pide una cita o envía una pregunta desde este sitio."),
            ],
            "steps": [
                ("Cuéntanos el motivo", "Unas palabras sobre por qué quieres una cita; sin datos médicos por correo."),
                ("Elige un horario", "Envía los días y horas que te acomodan."),
                ("Acude a tu cita", "Trae tus preguntas y los informes o recetas que tengas."),
            ],
            "faq": [
                (
                    "¿La información de este sitio es consejo médico?",
                    "No. Es información general y no sustituye la consulta con un profesional sanitario cualificado; los resultados varían de una persona a otra.",
                ),
                (
                    "¿Qué llevo a una primera cita?",
                    "Una lista de tus preguntas, los medicamentos que tomas y los informes o análisis recientes.",
                ),
                (
                    "¿Puedo enviar mis datos médicos por el sitio?",
                    "Mejor no: indica solo el motivo de la visita y comparte los detalles en persona.",
                ),
            ],
            "questions": [
                "¿Los profesionales están colegiados y puedo comprobarlo?",
                "¿Explican las opciones y lo que implica cada una?",
                "¿Cómo protegen mis datos personales y médicos?",
            ],
            "gallery": [
                ("Recepción", "Una bienvenida tranquila."),
                ("Consulta", "Tiempo para hablar."),
                ("Cuidado", "Atención a los detalles."),
                ("Prevención", "Cuidarte a tiempo."),
                ("Preguntas", "Todas son bienvenidas."),
                ("Seguimiento", "Los siguientes pasos, explicados."),
            ],
            "cta": {
                "reservations": "Pide tu cita",
                "leads": "Solicita una cita",
                "awareness": "Conoce la consulta",
                "engagement": "Solicita una cita",
                "sales": "Solicita una cita",
                "growth": "Solicita una cita",
            },
            "phrase": {
                "reservations": "pedir tu cita sin llamar",
                "leads": "dar el primer paso para cuidarte",
                "awareness": "saber a quién acudir",
                "growth": "dar el primer paso para cuidarte",
            },
            "audience": [
                (
                    "Personas con una duda de salud",
                    "respuestas claras y alguien que escuche",
                    ["Google", "Google Maps"],
                ),
                ("Familias", "una consulta de confianza", ["Facebook", "WhatsApp"]),
                ("Pacientes recién llegados a la zona", "una consulta cercana", ["Google Maps", "Google"]),
            ],
            "competitors": [
                ("Grandes hospitales", "muchas especialidades", "esperas largas y poco tiempo por paciente"),
                ("Información de salud en internet", "inmediata y gratuita", "sin diagnóstico y a menudo errónea"),
                ("Otras consultas de la zona", "cercanía", "difíciles de comparar desde fuera"),
            ],
            "keywords": [
                "consulta de salud {geo}",
                "pedir cita {geo}",
                "atención médica {geo}",
                "médico {geo}",
                "clínica {geo}",
            ],
        },
    },
    "legal": {
        "en": {
            "offer": "legal help explained in plain language",
            "provider": "a law firm",
            "catalogue": "legal services",
            "features": [
                ("Your situation first", "Tell us what happened; we listen before we talk about options."),
                ("Plain language", "What the law says about your case, explained without jargon."),
                ("Clear fees", "Ask how the work is billed before anything starts, and get it in writing."),
                ("Confidential", "What you tell a lawyer about your case stays between you."),
            ],
            "steps": [
                ("Describe your case", "A short summary of what happened and what you need."),
                ("Get an answer", "We tell you whether and how we can help, and how the work would be billed."),
                ("Decide with the facts", "You choose the next step, with your options explained."),
            ],
            "faq": [
                (
                    "Is the information on this site legal advice?",
                    "No. It is general information, not legal advice: each case needs its own assessment by a qualified lawyer.",
                ),
                (
                    "What should I bring to a first meeting?",
                    "A timeline of what happened, the documents you have received or signed, and the names of the people involved.",
                ),
                (
                    "How should I compare lawyers?",
                    "Ask about experience with cases like yours, who will handle the work, and how fees are calculated.",
                ),
            ],
            "questions": [
                "Is the lawyer registered with the bar, and can I check it?",
                "Who will actually handle my case?",
                "How are the fees calculated, and is that put in writing?",
            ],
            "gallery": [
                ("First meeting", "Listening before advising."),
                ("Documents", "Every paper reviewed."),
                ("Strategy", "Options, explained."),
                ("Negotiation", "Looking for the best outcome."),
                ("In court", "When it is needed."),
                ("Follow-up", "Keeping you informed."),
            ],
            "cta": {
                "leads": "Tell us about your case",
                "reservations": "Book a consultation",
                "awareness": "Get to know the firm",
                "engagement": "Tell us about your case",
                "sales": "Book a consultation",
                "growth": "Tell us about your case",
            },
            "phrase": {
                "leads": "understand your options",
                "reservations": "book a consultation easily",
                "awareness": "know where to turn",
                "growth": "understand your options",
            },
            "audience": [
                (
                    "Individuals with a legal problem",
                    "clear answers and a lawyer they can reach",
                    ["Google", "Facebook"],
                ),
                ("Small businesses", "contracts and disputes handled properly", ["LinkedIn", "Email"]),
                ("Families", "help with sensitive matters", ["Google", "WhatsApp"]),
            ],
            "competitors": [
                ("Large law firms", "reputation and many practice areas", "high fees and little personal contact"),
                ("Online legal templates", "cheap and instant", "no advice for the case at hand"),
                ("Other local lawyers", "nearby", "hard to compare from the outside"),
            ],
            "keywords": [
                "lawyer {geo}",
                "law firm {geo}",
                "legal advice {geo}",
                "attorney {geo}",
                "legal consultation {geo}",
            ],
        },
        "es": {
            "offer": "ayuda legal explicada en lenguaje claro",
            "provider": "un despacho de abogados",
            "catalogue": "servicios legales",
            "features": [
                ("Primero tu situación", "Cuéntanos qué pasó; escuchamos antes de hablar de opciones."),
                ("Lenguaje claro", "Lo que dice la ley sobre tu caso, explicado sin tecnicismos."),
                ("Honorarios claros", "Pregunta cómo se cobra el trabajo antes de empezar y recíbelo por escrito."),
                ("Confidencial", "Lo que le cuentas a tu abogado sobre tu caso queda entre ustedes."),
            ],
            "steps": [
                ("Describe tu caso", "Un resumen breve de lo que pasó y lo que necesitas."),
                ("Recibe una respuesta", "Te decimos si podemos ayudarte, cómo, y cómo se cobraría el trabajo."),
                ("Decide con información", "Eliges el siguiente paso, con tus opciones explicadas."),
            ],
            "faq": [
                (
                    "¿La información de este sitio es asesoramiento jurídico?",
                    "No. Es información general, no asesoramiento jurídico: cada caso necesita su propia valoración por un abogado colegiado.",
                ),
                (
                    "¿Qué llevo a una primera reunión?",
                    "Una cronología de lo ocurrido, los documentos que recibiste o firmaste y los nombres de las personas involucradas.",
                ),
                (
                    "¿Cómo comparo abogados?",
                    "Pregunta por su experiencia en casos como el tuyo, quién llevará el trabajo y cómo se calculan los honorarios.",
                ),
            ],
            "questions": [
                "¿El abogado está colegiado y puedo comprobarlo?",
                "¿Quién llevará realmente mi caso?",
                "¿Cómo se calculan los honorarios y se ponen por escrito?",
            ],
            "gallery": [
                ("Primera reunión", "Escuchar antes de aconsejar."),
                ("Documentos", "Cada papel, revisado."),
                ("Estrategia", "Las opciones, explicadas."),
                ("Negociación", "En busca del mejor resultado."),
                ("En tribunales", "Cuando hace falta."),
                ("Seguimiento", "Siempre informado."),
            ],
            "cta": {
                "leads": "Cuéntanos tu caso",
                "reservations": "Agenda una consulta",
                "awareness": "Conoce el despacho",
                "engagement": "Cuéntanos tu caso",
                "sales": "Agenda una consulta",
                "growth": "Cuéntanos tu caso",
            },
            "phrase": {
                "leads": "entender tus opciones",
                "reservations": "agendar una consulta fácilmente",
                "awareness": "saber a quién acudir",
                "growth": "entender tus opciones",
            },
            "audience": [
                (
                    "Personas con un problema legal",
                    "respuestas claras y un abogado localizable",
                    ["Google", "Facebook"],
                ),
                ("Pequeñas empresas", "contratos y disputas bien atendidos", ["LinkedIn", "Correo"]),
                ("Familias", "ayuda en asuntos delicados", ["Google", "WhatsApp"]),
            ],
            "competitors": [
                ("Grandes despachos", "prestigio y muchas áreas", "honorarios altos y poco trato personal"),
                ("Plantillas legales en línea", "baratas e inmediatas", "sin consejo para el caso concreto"),
                ("Otros abogados de la zona", "cercanía", "difíciles de comparar desde fuera"),
            ],
            "keywords": [
                "abogados {geo}",
                "despacho de abogados {geo}",
                "asesoría legal {geo}",
                "abogado {geo}",
                "consulta legal {geo}",
            ],
        },
    },
    "finance": {
        "en": {
            "offer": "financial guidance that starts from your goals",
            "provider": "a financial services firm",
            "catalogue": "services",
            "features": [
                ("Your goals first", "We start from what you want to achieve and the time you have."),
                ("Risks explained", "Every option comes with what can go wrong, not only with what can go right."),
                ("Costs in writing", "Ask what you will pay, and how, before you commit to anything."),
                (
                    "Your data protected",
                    "Your financial information is personal; share it only through secure channels.",
                ),
            ],
            "steps": [
                ("Tell us your goal", "What you want to achieve, and by when."),
                ("Review your situation", "We look at the options that fit, with their costs and risks."),
                ("Decide at your pace", "No pressure: you choose whether and how to go ahead."),
            ],
            "faq": [
                (
                    "Is the information on this site financial advice?",
                    "No. It is general information, not financial advice; past results do not guarantee future returns, and every product carries risks.",
                ),
                (
                    "What should I prepare before we talk?",
                    "Your goal and time frame, your income and regular expenses, and recent statements of any accounts, loans or investments.",
                ),
                (
                    "What should I ask any financial adviser?",
                    "Whether they are registered, how they are paid, and what the total cost of each option is.",
                ),
            ],
            "questions": [
                "Is the firm registered with the financial regulator, and can I check it?",
                "How is the adviser paid, and are there commissions?",
                "What are the total costs and the risks of each option?",
            ],
            "gallery": [
                ("Planning", "Starting from your goals."),
                ("Analysis", "Your situation, reviewed."),
                ("Options", "Costs and risks, side by side."),
                ("Documents", "Everything in writing."),
                ("Reviews", "Adjusting over time."),
                ("Security", "Your data, protected."),
            ],
            "cta": {
                "leads": "Request a consultation",
                "reservations": "Book a consultation",
                "awareness": "Get to know the firm",
                "engagement": "Request a consultation",
                "sales": "Request a consultation",
                "growth": "Request a consultation",
            },
            "phrase": {
                "leads": "plan your next financial step",
                "reservations": "book a consultation easily",
                "awareness": "know where to turn",
                "growth": "plan your next financial step",
            },
            "audience": [
                ("Households planning ahead", "a clear plan for savings and debt", ["Google", "Facebook"]),
                ("Small business owners", "help with cash flow and financing", ["LinkedIn", "Email"]),
                ("People facing a big decision", "independent explanations", ["Google", "YouTube"]),
            ],
            "competitors": [
                ("Banks", "trust and many products", "advice tied to their own products"),
                ("Online comparison sites", "quick and broad", "no view of the whole situation"),
                ("Independent advisers", "personal contact", "hard to compare from the outside"),
            ],
            "keywords": [
                "financial advice {geo}",
                "financial adviser {geo}",
                "financial planning {geo}",
                "investment guidance",
                "financial consultation {geo}",
            ],
        },
        "es": {
            "offer": "orientación financiera que parte de tus metas",
            "provider": "una firma de servicios financieros",
            "catalogue": "servicios",
            "features": [
                ("Primero tus metas", "Partimos de lo que quieres lograr y del tiempo que tienes."),
                (
                    "Riesgos explicados",
                    "Cada opción viene con lo que puede salir mal, no solo con lo que puede salir bien.",
                ),
                ("Costos por escrito", "Pregunta cuánto vas a pagar, y cómo, antes de comprometerte."),
                ("Tus datos protegidos", "Tu información financiera es personal; compártela solo por canales seguros."),
            ],
            "steps": [
                ("Cuéntanos tu meta", "Qué quieres lograr y para cuándo."),
                ("Revisamos tu situación", "Vemos las opciones que encajan, con sus costos y riesgos."),
                ("Decide a tu ritmo", "Sin presión: tú eliges si sigues adelante y cómo."),
            ],
            "faq": [
                (
                    "¿La información de este sitio es asesoramiento financiero?",
                    "No. Es información general, no asesoramiento financiero; los resultados pasados no garantizan rentabilidades futuras y todo producto conlleva riesgos.",
                ),
                (
                    "¿Qué preparo antes de hablar?",
                    "Tu meta y tu plazo, tus ingresos y gastos habituales, y los estados de cuenta recientes de cuentas, préstamos o inversiones.",
                ),
                (
                    "¿Qué preguntarle a cualquier asesor financiero?",
                    "Si está registrado, cómo cobra y cuál es el costo total de cada opción.",
                ),
            ],
            "questions": [
                "¿La firma está registrada ante el regulador financiero y puedo comprobarlo?",
                "¿Cómo cobra el asesor y hay comisiones?",
                "¿Cuáles son los costos totales y los riesgos de cada opción?",
            ],
            "gallery": [
                ("Planeación", "Partir de tus metas."),
                ("Análisis", "Tu situación, revisada."),
                ("Opciones", "Costos y riesgos, lado a lado."),
                ("Documentos", "Todo por escrito."),
                ("Revisiones", "Ajustes con el tiempo."),
                ("Seguridad", "Tus datos, protegidos."),
            ],
            "cta": {
                "leads": "Solicita una asesoría",
                "reservations": "Agenda una asesoría",
                "awareness": "Conoce la firma",
                "engagement": "Solicita una asesoría",
                "sales": "Solicita una asesoría",
                "growth": "Solicita una asesoría",
            },
            "phrase": {
                "leads": "planear tu siguiente paso financiero",
                "reservations": "agendar una asesoría fácilmente",
                "awareness": "saber a quién acudir",
                "growth": "planear tu siguiente paso financiero",
            },
            "audience": [
                ("Hogares que planean a futuro", "un plan claro de ahorro y deudas", ["Google", "Facebook"]),
                ("Dueños de pequeñas empresas", "ayuda con flujo de caja y financiamiento", ["LinkedIn", "Correo"]),
                ("Personas ante una gran decisión", "explicaciones independientes", ["Google", "YouTube"]),
            ],
            "competitors": [
                ("Bancos", "confianza y muchos productos", "asesoría atada a sus propios productos"),
                ("Comparadores en línea", "rápidos y amplios", "sin visión de la situación completa"),
                ("Asesores independientes", "trato personal", "difíciles de comparar desde fuera"),
            ],
            "keywords": [
                "asesoría financiera {geo}",
                "asesor financiero {geo}",
                "planeación financiera {geo}",
                "orientación de inversiones",
                "consulta financiera {geo}",
            ],
        },
    },
    "general": {
        "en": {
            "offer": "{industry} services built around what you need",
            "provider": "a {industry} business",
            "catalogue": "services",
            "features": [
                ("Listening first", "Tell us what you need; the work starts from your situation, not from a template."),
                ("Clear answers", "What we can do, how and at what price, explained before anything begins."),
                ("Easy to reach", "Send a message from this site whenever it suits you."),
                ("Close to you", "A business that knows the people it works for."),
            ],
            "steps": [
                ("Tell us what you need", "Send a short message with what you are looking for."),
                ("Get a clear answer", "What we can do, how and when, in writing."),
                ("We get it done", "With updates along the way until it is finished."),
            ],
            "faq": [
                (
                    "What should I tell you in my first message?",
                    "What you need, where and by when, and anything that makes your situation special.",
                ),
                (
                    "How do I compare providers?",
                    "Ask each one what is included, what is not, who does the work and what the total price is.",
                ),
                (
                    "What should I ask before I say yes?",
                    "Ask for the scope, the timing and the price in writing, so everyone agrees on the same thing.",
                ),
            ],
            "questions": [
                "What exactly is included, and what is not?",
                "Who will do the work?",
                "Is the price written down before the work starts?",
            ],
            "gallery": [
                ("Our work", "Done with care."),
                ("Details", "Where quality shows."),
                ("The team at work", "Hands on."),
                ("Before and after", "Seeing the difference."),
                ("Tools of the trade", "The right tool for each job."),
                ("Finished", "Ready for you."),
            ],
            "cta": {},
            "phrase": {},
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
                "{industry} near me",
                "{industry} company",
                "{industry} provider",
            ],
        },
        "es": {
            "offer": "{industry} a la medida de lo que necesitas",
            "provider": "un negocio de {industry}",
            "catalogue": "servicios",
            "features": [
                (
                    "Primero escuchamos",
                    "Cuéntanos lo que necesitas; el trabajo parte de tu situación, no de una plantilla.",
                ),
                ("Respuestas claras", "Qué podemos hacer, cómo y a qué precio, explicado antes de empezar."),
                ("Fácil de contactar", "Envía un mensaje desde este sitio cuando te acomode."),
                ("Cerca de ti", "Un negocio que conoce a las personas para quienes trabaja."),
            ],
            "steps": [
                ("Cuéntanos qué necesitas", "Envía un mensaje breve con lo que buscas."),
                ("Recibe una respuesta clara", "Qué podemos hacer, cómo y cuándo, por escrito."),
                ("Nos encargamos", "Con avances en cada paso hasta terminar."),
            ],
            "faq": [
                (
                    "¿Qué incluyo en mi primer mensaje?",
                    "Lo que necesitas, dónde y para cuándo, y cualquier detalle que haga especial tu situación.",
                ),
                (
                    "¿Cómo comparo proveedores?",
                    "Pregunta a cada uno qué incluye, qué no, quién hace el trabajo y cuál es el precio total.",
                ),
                (
                    "¿Qué preguntar antes de decir que sí?",
                    "Pide el alcance, los tiempos y el precio por escrito, para que todos acuerden lo mismo.",
                ),
            ],
            "questions": [
                "¿Qué incluye exactamente y qué no?",
                "¿Quién hará el trabajo?",
                "¿El precio queda por escrito antes de empezar?",
            ],
            "gallery": [
                ("Nuestro trabajo", "Hecho con cuidado."),
                ("Detalles", "Donde se nota la calidad."),
                ("Manos a la obra", "El equipo trabajando."),
                ("Antes y después", "La diferencia a la vista."),
                ("Herramientas", "La adecuada para cada trabajo."),
                ("Terminado", "Listo para ti."),
            ],
            "cta": {},
            "phrase": {},
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
                "{industry} cerca de mí",
                "empresa de {industry}",
                "{industry} de confianza",
            ],
        },
    },
}

# Industries typed in the brief that have no profile of their name: the profile they read as.
# Regulated sectors are found by deznity_assets/sectors.py (a dental clinic is health) first.
INDUSTRY_ALIASES = {
    "store": "ecommerce",
    "shop": "ecommerce",
    "online shop": "ecommerce",
    "online store": "ecommerce",
    "e-commerce": "ecommerce",
    "retail": "ecommerce",
    "tienda": "ecommerce",
    "tienda en línea": "ecommerce",
    "comercio electrónico": "ecommerce",
    "software": "saas",
    "app": "saas",
    "startup": "saas",
    "food": "restaurant",
    "cafe": "restaurant",
    "café": "restaurant",
    "bar": "restaurant",
    "bakery": "restaurant",
    "restaurante": "restaurant",
    "cafetería": "restaurant",
    "comida": "restaurant",
    "salon": "beauty",
    "spa": "beauty",
    "cosmetics": "beauty",
    "belleza": "beauty",
    "salón de belleza": "beauty",
    "estética": "beauty",
    "cosmética": "beauty",
    "technology": "tech",
    "it": "tech",
    "agency": "tech",
    "tecnología": "tech",
    "desarrollo de software": "tech",
    "salud": "health",
    "legal": "legal",
    "finanzas": "finance",
}

# The sector word a sentence uses, per profile and language, where the brief's word will not do.
INDUSTRY_WORDS = {
    "en": {
        "restaurant": "restaurants",
        "saas": "software",
        "ecommerce": "online shopping",
        "tech": "technology",
        "beauty": "beauty",
        "health": "health care",
        "legal": "legal services",
        "finance": "financial services",
        "general": "services",
    },
    "es": {
        "restaurant": "restaurantes",
        "saas": "software",
        "ecommerce": "compras en línea",
        "tech": "tecnología",
        "beauty": "belleza",
        "health": "salud",
        "legal": "servicios legales",
        "finance": "servicios financieros",
        "general": "servicios",
    },
}
