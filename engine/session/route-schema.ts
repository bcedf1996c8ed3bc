/** One inbound routing rule (config `routes`); router.ts applies them. */
import { z } from 'zod';

export const routeSchema = z
  .object({
    /** The dialog that answers matching calls. */
    dialog: z.string().min(1),
    /** The called number (To / SIP To user), compared on digits and a leading +. */
    calledNumber: z.string().min(1).optional(),
    /** Platform parameters that must all be equal (Twilio customParameters, raw metadata). */
    parameters: z.record(z.string(), z.string()).optional(),
    /** Transports this rule applies to (twilio, raw, sip); default all. */
    transports: z.array(z.string().min(1)).optional(),
  })
  .strict();

export type RouteRule = z.infer<typeof routeSchema>;
