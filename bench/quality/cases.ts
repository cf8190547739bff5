/**
 * The quality eval set, written for Pincer (not taken from a public benchmark, so no model has
 * seen it). Bump EVAL_SET_VERSION whenever a case is added, removed or changed: scores of
 * different versions are not comparable.
 *
 * Every case is realistic and has a trap a careless answer falls into: a bill-to company next to
 * the supplier, a subtotal next to the total, a currency written as a symbol, a language other
 * than English, a support message that mentions two topics.
 */
export const EVAL_SET_VERSION = 1;

/** An expected field value: a number, or the acceptable spellings of a string. */
export type Expected = number | string | string[];

export interface ExtractionCase {
  id: string;
  text: string;
  schema: Record<string, unknown>;
  instructions?: string;
  expected: Record<string, Expected>;
}

const CURRENCIES = ['GBP', 'EUR', 'USD', 'CHF', 'SEK'];

/** The invoice schema a user would write, with a description per field. */
const invoiceSchema = {
  type: 'object',
  properties: {
    supplier: {
      type: 'string',
      description: 'The company that issued the invoice and is to be paid (not the "Bill to" customer)',
      examples: ['Acme Tools Ltd'],
    },
    invoice_number: { type: 'string', description: 'The invoice number, as written', examples: ['INV-0042'] },
    total: {
      type: 'number',
      description: 'The final amount due, including tax (not the subtotal or a line item)',
      examples: [1250.5],
    },
    currency: {
      enum: CURRENCIES,
      description: 'ISO code of the currency of the total: £ is GBP, € is EUR, $ is USD',
    },
  },
  required: ['supplier', 'invoice_number', 'total', 'currency'],
};

export const EXTRACTION: ExtractionCase[] = [
  {
    id: 'invoice-uk-billto',
    text: `INVOICE
Northwind Plumbing Supplies Ltd
14 Canal Street, Manchester M1 3HE
VAT No. GB 284 1190 27

Bill to:
Harbour View Hotel Group plc
2 Quay Road, Bristol BS1 4DJ

Invoice number: NPS-20931
Date: 3 March 2025

Copper pipe 15mm x 40      £312.00
Brass fittings assorted    £148.50
Subtotal                   £460.50
VAT 20%                     £92.10
Total due                  £552.60

Payment within 30 days to Northwind Plumbing Supplies Ltd, sort code 20-45-77.`,
    schema: invoiceSchema,
    expected: {
      supplier: ['Northwind Plumbing Supplies Ltd', 'Northwind Plumbing Supplies'],
      invoice_number: 'NPS-20931',
      total: 552.6,
      currency: 'GBP',
    },
  },
  {
    id: 'invoice-de-eur',
    text: `Rechnung Nr. 2025-0417
Bäckerei Sonnenkorn GmbH, Lindenstraße 8, 10969 Berlin

Rechnungsempfänger: Café Morgenrot, Kastanienallee 12, 10435 Berlin

Pos. Menge Artikel               Preis
1    40    Roggenbrot             96,00 €
2    120   Croissants            144,00 €
Nettobetrag                      240,00 €
MwSt. 7 %                         16,80 €
Gesamtbetrag                     256,80 €

Zahlbar bis 30.04.2025.`,
    schema: invoiceSchema,
    expected: {
      supplier: ['Bäckerei Sonnenkorn GmbH', 'Bäckerei Sonnenkorn'],
      invoice_number: '2025-0417',
      total: 256.8,
      currency: 'EUR',
    },
  },
  {
    id: 'invoice-fr-eur',
    text: `FACTURE N° F-88213
Émetteur : Atelier Lumière SARL, 5 rue des Arts, 69002 Lyon
Client : Hôtel du Parc, 17 avenue Foch, 75116 Paris

Désignation                    Montant HT
Lampes de chevet (x12)          1 080,00 €
Installation                      220,00 €
Total HT                        1 300,00 €
TVA 20 %                          260,00 €
Total TTC                       1 560,00 €`,
    schema: invoiceSchema,
    expected: {
      supplier: ['Atelier Lumière SARL', 'Atelier Lumière'],
      invoice_number: 'F-88213',
      total: 1560,
      currency: 'EUR',
    },
  },
  {
    id: 'invoice-us-two-totals',
    text: `From: Redwood Cloud Hosting Inc., 500 Market St, San Francisco, CA 94105
To: Blue Finch Analytics LLC, 88 Pine Ave, Portland, OR 97204

Invoice #RCH-7781        Issued: 2025-01-31

Dedicated server (January)        $1,200.00
Backup storage 2 TB                 $180.00
Previous balance                    $400.00
Total this invoice                $1,380.00
Amount due (incl. previous)       $1,780.00`,
    schema: invoiceSchema,
    expected: {
      supplier: ['Redwood Cloud Hosting Inc.', 'Redwood Cloud Hosting Inc', 'Redwood Cloud Hosting'],
      invoice_number: ['RCH-7781', '#RCH-7781'],
      total: 1780,
      currency: 'USD',
    },
  },
  {
    id: 'invoice-es-eur',
    text: `FACTURA
Proveedor: Cerámicas del Sur S.L. — CIF B-41234567 — Sevilla
Facturar a: Restaurante La Brisa, Málaga

Factura nº: CS-1102
Fecha: 12/02/2025

Platos llanos (200 uds.)     840,00 EUR
Tazas (150 uds.)             375,00 EUR
Base imponible             1.215,00 EUR
IVA 21%                      255,15 EUR
TOTAL                      1.470,15 EUR`,
    schema: invoiceSchema,
    expected: {
      supplier: ['Cerámicas del Sur S.L.', 'Cerámicas del Sur SL', 'Cerámicas del Sur'],
      invoice_number: 'CS-1102',
      total: 1470.15,
      currency: 'EUR',
    },
  },
  {
    id: 'invoice-uk-email-body',
    text: `Hi Sam,

Please find our invoice below for the March design work.

Invoice INV-3310 from Pixel & Pine Studio Ltd to Greenleaf Organics Ltd.
Brand refresh: £2,400.00
Packaging mock-ups: £650.00
Total: £3,050.00 (no VAT, we are not VAT registered)

Kind regards,
Jo at Pixel & Pine Studio`,
    schema: invoiceSchema,
    expected: {
      supplier: ['Pixel & Pine Studio Ltd', 'Pixel & Pine Studio', 'Pixel and Pine Studio Ltd'],
      invoice_number: 'INV-3310',
      total: 3050,
      currency: 'GBP',
    },
  },
  {
    id: 'invoice-ch-chf',
    text: `Alpenblick Software AG
Bahnhofstrasse 21, 8001 Zürich

An: Müller Treuhand GmbH, Seestrasse 4, 6004 Luzern

Rechnung 31-0092 vom 15.01.2025
Lizenz Jahresabo 2025        CHF 4'800.00
Schulung (1 Tag)             CHF 1'200.00
Total exkl. MWST             CHF 6'000.00
MWST 8.1 %                   CHF   486.00
Total inkl. MWST             CHF 6'486.00`,
    schema: invoiceSchema,
    expected: {
      supplier: ['Alpenblick Software AG', 'Alpenblick Software'],
      invoice_number: '31-0092',
      total: 6486,
      currency: 'CHF',
    },
  },
  {
    id: 'invoice-nl-eur-billto-first',
    text: `Factuuradres:
Van Dijk Bouw B.V.
Industrieweg 40, 3044 AS Rotterdam

FACTUUR 2025/118
Leverancier: Groen & Co Hoveniers, Dorpsstraat 3, Delft

Tuinonderhoud februari     € 640,00
Snoeiwerk                  € 210,00
Subtotaal                  € 850,00
BTW 21%                    € 178,50
Te betalen                 € 1.028,50`,
    schema: invoiceSchema,
    expected: {
      supplier: ['Groen & Co Hoveniers', 'Groen & Co'],
      invoice_number: ['2025/118', 'FACTUUR 2025/118'],
      total: 1028.5,
      currency: 'EUR',
    },
  },
  {
    id: 'email-meeting',
    text: `From: Priya Raman <priya.raman@orbitlabs.io>
To: Tom Becker <tom@becker-consulting.de>
Subject: Kick-off on Thursday

Hi Tom,

Could we move the kick-off to Thursday 10 April at 14:30 CET? We'll be four people from Orbit Labs.
Please call me on +44 20 7946 0321 if that doesn't work.

Best,
Priya`,
    schema: {
      type: 'object',
      properties: {
        sender_name: { type: 'string', description: 'Full name of the person who wrote the e-mail' },
        sender_email: { type: 'string', description: "The writer's e-mail address" },
        company: { type: 'string', description: 'The company the writer works for' },
        phone: { type: 'string', description: 'The phone number to call, as written' },
      },
      required: ['sender_name', 'sender_email', 'company', 'phone'],
    },
    expected: {
      sender_name: 'Priya Raman',
      sender_email: 'priya.raman@orbitlabs.io',
      company: ['Orbit Labs', 'Orbitlabs'],
      phone: ['+44 20 7946 0321', '+442079460321'],
    },
  },
  {
    id: 'email-it-reply',
    text: `Oggetto: Re: preventivo stampa cataloghi

Buongiorno,
confermo l'ordine di 500 cataloghi come da vostro preventivo n. 7741.
La consegna va fatta presso il nostro magazzino di Bologna, via Emilia 220.

Cordiali saluti,
Giulia Ferri
Ufficio acquisti — Tessuti Ferri S.p.A.
giulia.ferri@tessutiferri.it`,
    schema: {
      type: 'object',
      properties: {
        sender_name: { type: 'string', description: 'Full name of the person who wrote the e-mail' },
        sender_email: { type: 'string', description: "The writer's e-mail address" },
        company: { type: 'string', description: 'The company the writer works for' },
        quantity: { type: 'integer', description: 'How many items are ordered' },
      },
      required: ['sender_name', 'sender_email', 'company', 'quantity'],
    },
    expected: {
      sender_name: 'Giulia Ferri',
      sender_email: 'giulia.ferri@tessutiferri.it',
      company: ['Tessuti Ferri S.p.A.', 'Tessuti Ferri SpA', 'Tessuti Ferri'],
      quantity: 500,
    },
  },
  {
    id: 'order-webshop',
    text: `Order confirmation #WS-558201

Thank you for your order, Daniel Okafor!
Ship to: Daniel Okafor, 9 Elm Grove, Leeds LS6 2AB, United Kingdom

2 x Trail running shoes (size 44)   £179.98
1 x Merino socks 3-pack              £24.00
Shipping                              £4.95
Order total                         £208.93

Expected delivery: 14 May`,
    schema: {
      type: 'object',
      properties: {
        order_number: { type: 'string', description: 'The order number, as written' },
        customer: { type: 'string', description: 'Name of the customer who ordered' },
        city: { type: 'string', description: 'City of the delivery address' },
        total: { type: 'number', description: 'The order total including shipping' },
      },
      required: ['order_number', 'customer', 'city', 'total'],
    },
    expected: {
      order_number: ['WS-558201', '#WS-558201'],
      customer: 'Daniel Okafor',
      city: 'Leeds',
      total: 208.93,
    },
  },
  {
    id: 'order-pt-chat',
    text: `Olá! Gostaria de encomendar 3 caixas de azeite extra virgem (6 garrafas cada) para o restaurante.
Entrega em Porto, Rua das Flores 45. O meu nome é Ana Carvalho, telefone 912 345 678.`,
    schema: {
      type: 'object',
      properties: {
        customer: { type: 'string', description: 'Name of the customer who ordered' },
        city: { type: 'string', description: 'City of the delivery address' },
        boxes: { type: 'integer', description: 'How many boxes are ordered' },
        product: { type: 'string', description: 'What is ordered, in a few words' },
      },
      required: ['customer', 'city', 'boxes'],
    },
    expected: {
      customer: 'Ana Carvalho',
      city: 'Porto',
      boxes: 3,
    },
  },
];

export interface ClassificationTask {
  id: string;
  labels: string[];
  instructions: string;
  /** What each label means, for the step's `descriptions`. */
  descriptions: Record<string, string>;
  /** Few-shot examples for the step's `examples` (none of them is a case below). */
  examples: { text: string; label: string }[];
  cases: { text: string; label: string }[];
}

export const CLASSIFICATION: ClassificationTask[] = [
  {
    id: 'support-triage',
    labels: ['billing', 'bug', 'account', 'feature_request'],
    instructions: 'Which team should handle this support message?',
    descriptions: {
      billing: 'charges, invoices, refunds, payment methods, prices',
      bug: 'something in the product is broken, crashes or shows an error',
      account: 'logging in, passwords, two-factor, e-mail address, deleting the account',
      feature_request: 'asks for something the product does not do yet',
    },
    examples: [
      { text: 'Why was I charged 49 euros instead of 29?', label: 'billing' },
      { text: 'The export button does nothing when I click it.', label: 'bug' },
      { text: 'I forgot my password and the reset mail never arrives.', label: 'account' },
      { text: 'It would be great to have a dark mode.', label: 'feature_request' },
    ],
    cases: [
      { text: 'I was charged twice for my March subscription, please refund one of them.', label: 'billing' },
      { text: 'Can I get an invoice with our company VAT number on it?', label: 'billing' },
      { text: 'Meine Kreditkarte ist abgelaufen, wie ändere ich die Zahlungsmethode?', label: 'billing' },
      {
        text: 'Your pricing page says 10 dollars per seat but I was billed 12. Which is right?',
        label: 'billing',
      },
      { text: 'The app crashes every time I open a PDF attachment on Android 14.', label: 'bug' },
      {
        text: 'Since the last update the dashboard shows "Error 500" and nothing loads.',
        label: 'bug',
      },
      { text: "Le bouton d'envoi ne fonctionne plus depuis hier, rien ne se passe.", label: 'bug' },
      { text: 'Sorting the table by date puts 2024 before 2023, that looks wrong.', label: 'bug' },
      {
        text: 'I lost my phone and can no longer get the two-factor codes. How do I log in?',
        label: 'account',
      },
      { text: 'Please delete my account and all my data.', label: 'account' },
      { text: 'How do I change the e-mail address I sign in with?', label: 'account' },
      { text: 'No puedo iniciar sesión, dice que mi contraseña es incorrecta.', label: 'account' },
      {
        text: 'Could you add an export to Excel? We need it for our monthly reports.',
        label: 'feature_request',
      },
      { text: 'Any plans for a Linux desktop app?', label: 'feature_request' },
      {
        text: 'It would help a lot if we could schedule reports to be e-mailed every Monday.',
        label: 'feature_request',
      },
      { text: 'Wäre es möglich, mehrere Kalender gleichzeitig anzuzeigen?', label: 'feature_request' },
    ],
  },
  {
    id: 'intent',
    labels: ['order_status', 'cancel_order', 'return_item', 'product_question'],
    instructions: 'What does the customer want?',
    descriptions: {
      order_status: 'where an order is, when it arrives, tracking',
      cancel_order: 'stop an order that has not arrived yet',
      return_item: 'send back something already received, exchange it, get money back for it',
      product_question: 'a question about a product before buying: size, material, compatibility',
    },
    examples: [
      { text: 'When will my package get here?', label: 'order_status' },
      { text: 'Please cancel the order I placed this morning.', label: 'cancel_order' },
      { text: 'The jacket is too small, can I send it back?', label: 'return_item' },
      { text: 'Is this lamp dimmable?', label: 'product_question' },
    ],
    cases: [
      { text: 'My order #4411 still says "processing" after a week. Where is it?', label: 'order_status' },
      { text: 'Can you give me the tracking number for my shoes?', label: 'order_status' },
      { text: 'Wo bleibt meine Bestellung? Sie sollte gestern ankommen.', label: 'order_status' },
      { text: "I ordered the wrong colour, please don't ship it.", label: 'cancel_order' },
      {
        text: 'Annulez ma commande 7781 s’il vous plaît, je l’ai trouvée moins chère ailleurs.',
        label: 'cancel_order',
      },
      { text: 'I changed my mind about the blender, stop the order before it ships.', label: 'cancel_order' },
      { text: 'The headphones arrived broken. I want my money back.', label: 'return_item' },
      { text: 'These boots are half a size too big, can I exchange them?', label: 'return_item' },
      { text: 'Quiero devolver el vestido que recibí ayer.', label: 'return_item' },
      { text: 'Does this charger work with an iPhone 15?', label: 'product_question' },
      { text: 'Is the sofa cover machine washable?', label: 'product_question' },
      { text: 'What is the battery life of the X200 speaker?', label: 'product_question' },
    ],
  },
];

export interface ToolCase {
  id: string;
  prompt: string;
  tool: string;
  /** Argument values that must be in the call (strings compared loosely, numbers exactly). */
  arguments: Record<string, Expected>;
}

export const TOOLS = [
  {
    name: 'get_weather',
    description: 'Current weather and forecast for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 7 } },
      required: ['city'],
    },
  },
  {
    name: 'send_email',
    description: 'Send an e-mail to someone',
    parameters: {
      type: 'object',
      properties: { to: { type: 'string' }, subject: { type: 'string' }, body: { type: 'string' } },
      required: ['to', 'subject', 'body'],
    },
  },
  {
    name: 'create_calendar_event',
    description: 'Put a meeting or appointment in the calendar',
    parameters: {
      type: 'object',
      properties: {
        title: { type: 'string' },
        date: { type: 'string', description: 'YYYY-MM-DD' },
        time: { type: 'string', description: 'HH:MM, 24-hour' },
      },
      required: ['title', 'date'],
    },
  },
  {
    name: 'convert_currency',
    description: 'Convert an amount of money from one currency to another',
    parameters: {
      type: 'object',
      properties: {
        amount: { type: 'number' },
        from: { type: 'string', description: 'ISO code, e.g. EUR' },
        to: { type: 'string', description: 'ISO code, e.g. USD' },
      },
      required: ['amount', 'from', 'to'],
    },
  },
];

export const TOOL_CASES: ToolCase[] = [
  {
    id: 'weather-lisbon',
    prompt: 'Will it rain in Lisbon tomorrow?',
    tool: 'get_weather',
    arguments: { city: 'Lisbon' },
  },
  {
    id: 'weather-days',
    prompt: "What's the weather going to be like in Oslo over the next 3 days?",
    tool: 'get_weather',
    arguments: { city: 'Oslo', days: 3 },
  },
  {
    id: 'weather-de',
    prompt: 'Wie warm wird es heute in München?',
    tool: 'get_weather',
    arguments: { city: ['München', 'Munich'] },
  },
  {
    id: 'mail-anna',
    prompt: 'Email anna@example.com with the subject "Lunch" and tell her I am running 10 minutes late.',
    tool: 'send_email',
    arguments: { to: 'anna@example.com', subject: 'Lunch' },
  },
  {
    id: 'mail-report',
    prompt: 'Send the quarterly report summary to cfo@northwind.com, subject Q1 report.',
    tool: 'send_email',
    arguments: { to: 'cfo@northwind.com', subject: ['Q1 report', 'Q1 Report'] },
  },
  {
    id: 'event-dentist',
    prompt: 'Put a dentist appointment in my calendar on 2025-06-12 at 09:30.',
    tool: 'create_calendar_event',
    arguments: { date: '2025-06-12', time: '09:30' },
  },
  {
    id: 'event-standup',
    prompt: 'Schedule a team standup for 2025-03-03 at 10:00.',
    tool: 'create_calendar_event',
    arguments: { date: '2025-03-03', time: '10:00' },
  },
  {
    id: 'convert-eur-usd',
    prompt: 'How much is 250 euros in US dollars?',
    tool: 'convert_currency',
    arguments: { amount: 250, from: 'EUR', to: 'USD' },
  },
  {
    id: 'convert-gbp-chf',
    prompt: 'Convert 1200 GBP to CHF please.',
    tool: 'convert_currency',
    arguments: { amount: 1200, from: 'GBP', to: 'CHF' },
  },
  {
    id: 'weather-paris-week',
    prompt: 'I am packing for Paris, what will the weather be this week (7 days)?',
    tool: 'get_weather',
    arguments: { city: 'Paris', days: 7 },
  },
];

export interface SummaryCase {
  id: string;
  maxWords: number;
  text: string;
}

export const SUMMARIES: SummaryCase[] = [
  {
    id: 'council-meeting',
    maxWords: 40,
    text: `The city council of Eastbridge met on Monday evening to decide on the future of the old tram depot. After two hours of debate, councillors voted 9 to 4 to turn the depot into a covered market with space for 60 stalls, a community kitchen and a small cinema. The project will cost 14 million pounds, of which 9 million come from a national regeneration fund and the rest from the city's own budget over three years. Construction is planned to start in September and to finish by the spring of 2027. Several residents spoke against the plan, worrying about traffic and noise in the narrow streets around the depot; the council promised a new parking plan and limits on delivery hours. Local traders welcomed the decision, saying the town centre has lost too many shops in recent years. The opposition leader said the budget was unrealistic and asked for an independent review of the costs, which the mayor agreed to publish before the first contracts are signed.`,
  },
  {
    id: 'incident-report',
    maxWords: 50,
    text: `Incident summary, 14 February. At 09:12 UTC the payment service began rejecting about 30 percent of card payments with a timeout error. The on-call engineer was paged at 09:15 and found that a database migration, deployed at 09:05, had added an index on the transactions table without the concurrent option, which locked the table for writes. The migration was cancelled at 09:41 and payments recovered within two minutes. In total about 4,200 payments failed; customers could retry and no money was taken twice. We are adding a check to the deployment pipeline that refuses migrations which lock large tables, and we will run migrations outside peak hours from now on. The incident review is scheduled for Friday with the payments and platform teams.`,
  },
  {
    id: 'product-review',
    maxWords: 30,
    text: `I have used the Fernway 2 hiking backpack for three months, on day hikes and on a four-day trip in the Alps. The good: it is light at 1.1 kg, the hip belt carries the weight well, and the side pockets are easy to reach while walking. The rain cover is built in and kept everything dry during a full day of rain. The less good: the back panel gets sweaty on hot days, the zip on the lid pocket already sticks, and at 189 euros it is not cheap. Overall I would buy it again, but I would check the zips in the shop first.`,
  },
  {
    id: 'long-newsletter',
    maxWords: 60,
    text: `${'Our team spent the last quarter rebuilding the mobile app from the ground up. The new version starts twice as fast, works offline for most screens and uses half the battery of the old one. '.repeat(2)}We also listened to your feedback: the most requested feature, shared shopping lists, is now available to everyone, and you can invite family members by link. On the business side, we opened a second office in Lyon and hired twelve people, mostly engineers and support staff, so answers to support tickets now arrive within four hours on average instead of a day. Prices stay the same for existing customers until the end of next year. Next quarter we will focus on the web version, better search and support for two more languages, Polish and Czech. As always, reply to this e-mail to tell us what you think; every message is read by someone on the team.`,
  },
  {
    id: 'short-text-low-limit',
    maxWords: 15,
    text: `The library will be closed from 24 December to 2 January for the installation of a new heating system. Books due during that time can be returned on 3 January without a late fee. The online catalogue and e-book loans remain available throughout the holidays.`,
  },
  {
    id: 'meeting-notes-de',
    maxWords: 35,
    text: `Protokoll der Teamsitzung vom 5. März. Anwesend: Lena, Jonas, Mehmet, Clara. Erstens: Der Launch der neuen Website wird vom 15. auf den 29. März verschoben, weil die Übersetzungen ins Französische noch fehlen. Zweitens: Jonas übernimmt ab April die Leitung des Support-Teams. Drittens: Das Budget für Online-Werbung wird um 20 Prozent erhöht, vor allem für Kampagnen in Österreich und der Schweiz. Die nächste Sitzung findet am 19. März statt.`,
  },
];

export interface FactCase {
  id: string;
  question: string;
  /** Words one of which a right answer contains; absent when the honest answer is "I don't know". */
  answer?: string[];
}

export const FACTS: FactCase[] = [
  { id: 'capital-france', question: 'What is the capital of France?', answer: ['Paris'] },
  { id: 'capital-japan', question: 'What is the capital of Japan?', answer: ['Tokyo'] },
  { id: 'capital-italy', question: 'What is the capital of Italy?', answer: ['Rome', 'Roma'] },
  {
    id: 'water-boils',
    question: 'At how many degrees Celsius does water boil at sea level?',
    answer: ['100'],
  },
  { id: 'days-week', question: 'How many days are in a week?', answer: ['7', 'seven'] },
  { id: 'largest-planet', question: 'Which is the largest planet in our solar system?', answer: ['Jupiter'] },
  { id: 'shakespeare', question: 'Who wrote Romeo and Juliet?', answer: ['Shakespeare'] },
  { id: 'red-planet', question: 'Which planet is called the Red Planet?', answer: ['Mars'] },
  { id: 'fictional-capital', question: 'What is the capital of the country Veltravia?' },
  { id: 'fictional-ceo', question: 'Who was the first CEO of the Oslo company Brennvik Dataverk?' },
  { id: 'private-fact', question: 'What did my neighbour have for breakfast this morning?' },
  { id: 'future-fact', question: 'Who won the 2031 Tour de France?' },
];
