/**
 * North American Numbering Plan area code -> IANA time zones (US and Canada; the territories
 * have their own ISO regions and resolve through region-zones.ts).
 *
 * An area code that straddles a zone line lists every zone it reaches; the scheduler then only
 * calls when the local time is inside the window in all of them (the strictest reading).
 * Overlays share their parent's zones. Sources: the NANPA area code assignments by state and
 * province, and the state/province time-zone boundaries.
 */
const ET = 'America/New_York';
const CT = 'America/Chicago';
const MT = 'America/Denver';
const PT = 'America/Los_Angeles';

const SINGLE: Record<string, string> = {
  // --- United States, Eastern ---
  [ET]:
    // CT DE DC
    '203 475 860 959 302 202 771 ' +
    // FL (peninsula; 850/448 are split, below)
    '239 305 321 324 352 386 407 561 645 656 689 727 728 754 772 786 813 863 904 941 954 ' +
    // GA
    '229 404 470 478 678 706 762 770 912 943 ' +
    // ME MD
    '207 227 240 301 410 443 667 ' +
    // MA NH
    '339 351 413 508 617 774 781 857 978 603 ' +
    // NJ
    '201 551 609 640 732 848 856 862 908 973 ' +
    // NY
    '212 315 329 332 347 363 516 518 585 607 624 631 646 680 716 718 838 845 914 917 929 934 ' +
    // NC
    '252 336 472 704 743 828 910 919 980 984 ' +
    // OH
    '216 220 234 283 326 330 380 419 436 440 513 567 614 740 937 ' +
    // PA
    '215 223 267 272 412 445 484 570 582 610 717 724 814 835 878 ' +
    // RI SC VT
    '401 803 821 839 843 854 864 802 ' +
    // VA WV
    '276 434 540 571 686 703 757 804 826 948 304 681 ' +
    // MI (906 is split, below)
    '231 248 269 313 517 586 616 679 734 810 947 989 ' +
    // KY (east) TN (east)
    '502 606 859 423 865',
  'America/Indiana/Indianapolis': '260 317 463 765',
  // --- United States, Central ---
  [CT]:
    // AL AR
    '205 251 256 334 659 938 327 479 501 870 ' +
    // IL
    '217 224 309 312 331 447 464 618 630 708 730 773 779 815 847 861 872 ' +
    // IN (north-west) IA
    '219 319 515 563 641 712 ' +
    // KS (east; 620/785 split) LA
    '316 913 225 318 337 504 985 ' +
    // MN MS
    '218 320 507 612 651 763 952 228 601 662 769 ' +
    // MO NE (east)
    '314 417 557 573 636 660 816 975 402 531 ' +
    // OK
    '405 539 572 580 918 ' +
    // TX (915 is Mountain; 432 split)
    '210 214 254 281 325 346 361 409 430 469 512 682 713 726 737 806 817 830 832 903 936 940 945 956 972 979 ' +
    // WI TN (middle/west)
    '262 274 353 414 534 608 715 920 615 629 731 901',
  // --- United States, Mountain and Pacific ---
  [MT]: '303 719 720 970 983 406 505 575 385 435 801 307 915',
  'America/Phoenix': '480 520 602 623',
  [PT]:
    // CA
    '209 213 279 310 323 341 350 357 369 408 415 424 442 510 530 559 562 619 626 628 650 657 661 669 ' +
    '707 714 738 747 760 805 818 820 831 837 840 858 909 916 925 949 951 ' +
    // WA OR (west) NV (south)
    '206 253 360 425 509 564 503 971 702 725',
  'Pacific/Honolulu': '808',
  // --- Canada ---
  'America/Vancouver': '604',
  'America/Edmonton': '368 403 587 780 825',
  'America/Regina': '306 474 639',
  'America/Winnipeg': '204 431 584',
  'America/Toronto':
    '226 249 289 343 365 382 416 437 519 548 613 647 683 705 742 753 905 942 ' +
    '263 354 438 450 468 514 579 819 873',
  'America/Halifax': '782 902 428 506',
};

/** Area codes that reach more than one zone. */
const SPLIT: Record<string, readonly string[]> = {
  '850': [ET, CT], // Florida panhandle
  '448': [ET, CT],
  '906': [ET, CT], // Michigan upper peninsula
  '812': ['America/Indiana/Indianapolis', CT], // south-west Indiana
  '930': ['America/Indiana/Indianapolis', CT],
  '574': ['America/Indiana/Indianapolis', CT], // Starke County
  '270': [CT, ET], // western Kentucky
  '364': [CT, ET],
  '931': [CT, ET], // middle Tennessee
  '620': [CT, MT], // south-west Kansas
  '785': [CT, MT],
  '308': [CT, MT], // western Nebraska
  '605': [CT, MT], // South Dakota
  '701': [CT, MT], // North Dakota
  '432': [CT, MT], // west Texas
  '208': [MT, PT], // Idaho (north is Pacific)
  '986': [MT, PT],
  '541': [PT, MT], // eastern Oregon (Malheur County)
  '458': [PT, MT],
  '775': [PT, MT], // northern Nevada (West Wendover)
  '928': ['America/Phoenix', MT], // northern Arizona (Navajo Nation keeps DST)
  '907': ['America/Anchorage', 'America/Adak'], // Alaska (western Aleutians)
  '250': ['America/Vancouver', 'America/Edmonton', 'America/Dawson_Creek'], // BC interior
  '236': ['America/Vancouver', 'America/Edmonton', 'America/Dawson_Creek'],
  '672': ['America/Vancouver', 'America/Edmonton', 'America/Dawson_Creek'],
  '778': ['America/Vancouver', 'America/Edmonton', 'America/Dawson_Creek'],
  '807': ['America/Toronto', 'America/Winnipeg'], // north-western Ontario
  '418': ['America/Toronto', 'America/Halifax'], // eastern Quebec (Magdalen Islands)
  '581': ['America/Toronto', 'America/Halifax'],
  '367': ['America/Toronto', 'America/Halifax'],
  '709': ['America/St_Johns', 'America/Goose_Bay'], // Newfoundland and Labrador
  '879': ['America/St_Johns', 'America/Goose_Bay'],
  '867': ['America/Whitehorse', 'America/Edmonton', 'America/Winnipeg', 'America/Iqaluit'], // territories
};

const TABLE = new Map<string, readonly string[]>();
for (const [zone, codes] of Object.entries(SINGLE)) {
  for (const code of codes.split(' ')) if (code) TABLE.set(code, [zone]);
}
for (const [code, zones] of Object.entries(SPLIT)) TABLE.set(code, zones);

/** Zones for a NANP national number (10 digits), or undefined when the area code is not listed. */
export function nanpZones(nationalNumber: string): readonly string[] | undefined {
  return TABLE.get(nationalNumber.slice(0, 3));
}

/** Every listed area code (for tests and docs). */
export function nanpAreaCodes(): string[] {
  return [...TABLE.keys()];
}
