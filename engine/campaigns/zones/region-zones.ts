/**
 * ISO 3166 region -> the IANA zones its phone numbers may be in. A region with one zone needs
 * nothing more; a region with several needs a prefix table (NANP, Australia) or a `timezone`
 * column, else a number there is "unknown zone" unless all its zones are close enough (see
 * resolve-zone.ts). Regions not listed here resolve to unknown zone: add them here.
 */
const SINGLE_ZONE: Record<string, string> = {
  // Europe
  GB: 'Europe/London',
  GG: 'Europe/Guernsey',
  JE: 'Europe/Jersey',
  IM: 'Europe/Isle_of_Man',
  IE: 'Europe/Dublin',
  FR: 'Europe/Paris',
  DE: 'Europe/Berlin',
  IT: 'Europe/Rome',
  NL: 'Europe/Amsterdam',
  BE: 'Europe/Brussels',
  LU: 'Europe/Luxembourg',
  CH: 'Europe/Zurich',
  AT: 'Europe/Vienna',
  DK: 'Europe/Copenhagen',
  NO: 'Europe/Oslo',
  SE: 'Europe/Stockholm',
  FI: 'Europe/Helsinki',
  IS: 'Atlantic/Reykjavik',
  PL: 'Europe/Warsaw',
  CZ: 'Europe/Prague',
  SK: 'Europe/Bratislava',
  HU: 'Europe/Budapest',
  RO: 'Europe/Bucharest',
  BG: 'Europe/Sofia',
  GR: 'Europe/Athens',
  HR: 'Europe/Zagreb',
  SI: 'Europe/Ljubljana',
  RS: 'Europe/Belgrade',
  BA: 'Europe/Sarajevo',
  ME: 'Europe/Podgorica',
  MK: 'Europe/Skopje',
  AL: 'Europe/Tirane',
  EE: 'Europe/Tallinn',
  LV: 'Europe/Riga',
  LT: 'Europe/Vilnius',
  UA: 'Europe/Kyiv',
  BY: 'Europe/Minsk',
  MD: 'Europe/Chisinau',
  MT: 'Europe/Malta',
  CY: 'Asia/Nicosia',
  MC: 'Europe/Monaco',
  AD: 'Europe/Andorra',
  LI: 'Europe/Vaduz',
  TR: 'Europe/Istanbul',
  // Asia and Middle East
  CN: 'Asia/Shanghai',
  HK: 'Asia/Hong_Kong',
  MO: 'Asia/Macau',
  TW: 'Asia/Taipei',
  JP: 'Asia/Tokyo',
  KR: 'Asia/Seoul',
  IN: 'Asia/Kolkata',
  PK: 'Asia/Karachi',
  BD: 'Asia/Dhaka',
  LK: 'Asia/Colombo',
  NP: 'Asia/Kathmandu',
  SG: 'Asia/Singapore',
  MY: 'Asia/Kuala_Lumpur',
  TH: 'Asia/Bangkok',
  VN: 'Asia/Ho_Chi_Minh',
  PH: 'Asia/Manila',
  KH: 'Asia/Phnom_Penh',
  IL: 'Asia/Jerusalem',
  AE: 'Asia/Dubai',
  SA: 'Asia/Riyadh',
  QA: 'Asia/Qatar',
  KW: 'Asia/Kuwait',
  BH: 'Asia/Bahrain',
  OM: 'Asia/Muscat',
  JO: 'Asia/Amman',
  LB: 'Asia/Beirut',
  IR: 'Asia/Tehran',
  IQ: 'Asia/Baghdad',
  GE: 'Asia/Tbilisi',
  AM: 'Asia/Yerevan',
  AZ: 'Asia/Baku',
  UZ: 'Asia/Tashkent',
  // Africa
  ZA: 'Africa/Johannesburg',
  NG: 'Africa/Lagos',
  KE: 'Africa/Nairobi',
  EG: 'Africa/Cairo',
  MA: 'Africa/Casablanca',
  TN: 'Africa/Tunis',
  DZ: 'Africa/Algiers',
  GH: 'Africa/Accra',
  ET: 'Africa/Addis_Ababa',
  TZ: 'Africa/Dar_es_Salaam',
  UG: 'Africa/Kampala',
  SN: 'Africa/Dakar',
  CI: 'Africa/Abidjan',
  // Americas (single zone) and NANP territories
  PR: 'America/Puerto_Rico',
  VI: 'America/St_Thomas',
  GU: 'Pacific/Guam',
  MP: 'Pacific/Saipan',
  AS: 'Pacific/Pago_Pago',
  JM: 'America/Jamaica',
  DO: 'America/Santo_Domingo',
  BS: 'America/Nassau',
  BB: 'America/Barbados',
  TT: 'America/Port_of_Spain',
  BM: 'Atlantic/Bermuda',
  CO: 'America/Bogota',
  PE: 'America/Lima',
  VE: 'America/Caracas',
  AR: 'America/Argentina/Buenos_Aires',
  UY: 'America/Montevideo',
  PY: 'America/Asuncion',
  BO: 'America/La_Paz',
  CR: 'America/Costa_Rica',
  PA: 'America/Panama',
  GT: 'America/Guatemala',
  SV: 'America/El_Salvador',
  HN: 'America/Tegucigalpa',
  NI: 'America/Managua',
  // Oceania
  NZ: 'Pacific/Auckland',
  FJ: 'Pacific/Fiji',
};

/** Regions spanning several zones, with every zone a number there may be in. */
const MULTI_ZONE: Record<string, readonly string[]> = {
  US: [
    'America/New_York',
    'America/Chicago',
    'America/Denver',
    'America/Phoenix',
    'America/Los_Angeles',
    'America/Anchorage',
    'Pacific/Honolulu',
  ],
  CA: [
    'America/St_Johns',
    'America/Halifax',
    'America/Toronto',
    'America/Winnipeg',
    'America/Regina',
    'America/Edmonton',
    'America/Vancouver',
  ],
  AU: [
    'Australia/Sydney',
    'Australia/Melbourne',
    'Australia/Brisbane',
    'Australia/Adelaide',
    'Australia/Darwin',
    'Australia/Perth',
  ],
  BR: ['America/Sao_Paulo', 'America/Manaus', 'America/Rio_Branco', 'America/Noronha'],
  MX: ['America/Mexico_City', 'America/Cancun', 'America/Mazatlan', 'America/Hermosillo', 'America/Tijuana'],
  RU: [
    'Europe/Kaliningrad',
    'Europe/Moscow',
    'Europe/Samara',
    'Asia/Yekaterinburg',
    'Asia/Omsk',
    'Asia/Novosibirsk',
    'Asia/Krasnoyarsk',
    'Asia/Irkutsk',
    'Asia/Yakutsk',
    'Asia/Vladivostok',
    'Asia/Magadan',
    'Asia/Kamchatka',
  ],
  ID: ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'],
  KZ: ['Asia/Almaty', 'Asia/Aqtobe'],
  ES: ['Europe/Madrid', 'Atlantic/Canary'],
  PT: ['Europe/Lisbon', 'Atlantic/Azores'],
  CL: ['America/Santiago', 'Pacific/Easter'],
  EC: ['America/Guayaquil', 'Pacific/Galapagos'],
  MN: ['Asia/Ulaanbaatar', 'Asia/Hovd'],
};

/** Every zone a number of this region may be in; empty when the region is not known. */
export function regionZones(region: string): readonly string[] {
  const single = SINGLE_ZONE[region];
  if (single) return [single];
  return MULTI_ZONE[region] ?? [];
}

/** Australia: geographic prefixes of the national number (mobiles and non-geographic get all zones). */
export function australiaZones(nationalNumber: string): readonly string[] | undefined {
  const two = nationalNumber.slice(0, 2);
  if (two === '86' || two === '89') return ['Australia/Perth'];
  if (two === '87' || two === '88') return ['Australia/Adelaide', 'Australia/Darwin'];
  if (two === '80') return ['Australia/Adelaide']; // Broken Hill, NSW, keeps South Australian time
  switch (nationalNumber[0]) {
    case '2':
      return ['Australia/Sydney'];
    case '3':
      return ['Australia/Melbourne', 'Australia/Hobart'];
    case '7':
      return ['Australia/Brisbane'];
    default:
      return undefined;
  }
}

export function knownRegions(): string[] {
  return [...Object.keys(SINGLE_ZONE), ...Object.keys(MULTI_ZONE)];
}
