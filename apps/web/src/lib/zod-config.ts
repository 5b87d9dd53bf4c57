import { z } from 'zod';

// zod 4 probes for `new Function` to compile fast parsers. Under the
// server's CSP, which allows no eval, the probe fails quietly but the
// browser still reports a CSP violation, so the UI turns it off.
z.config({ jitless: true });
