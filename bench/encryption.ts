/**
 * `deno task bench:encryption`: what encryption at rest costs the paths that
 * write and read personal values, in CPU time per batch of 1,000: sealing
 * event properties as ingestion does (bench:api's mix, where 1 event in 200
 * carries free text, and a mix where every event does), sealing customers as
 * an upsert does (name, email, phone, blind index), and opening them as a
 * read does. Pure WebCrypto, no database: compare with a batch's time in
 * bench:api (bench/README.md, "Encryption at rest").
 *
 *   --batches N   timed batches of each kind (default 50)
 */
import { parseArgs } from "node:util";
import { runCommand, say } from "../cli/output.ts";
import { wholeNumber } from "../cli/flags.ts";
import { derivedKeys, installKeyring, Keyring } from "../engine/privacy/mod.ts";
import {
  openCustomerRows,
  sealCustomerFields,
  sealEventProperties,
} from "../engine/signals/mod.ts";
import { markdownTable, saveFigures } from "./results.ts";

const BATCH = 1_000;
const KEY = "62656e63682d6f6e6c792d6b65792d6e6f742d666f722d7265616c2d64617461";

await runCommand(async () => {
  const { values } = parseArgs({ args: Deno.args, options: { batches: { type: "string" } } });
  const batches = wholeNumber("--batches", values.batches ?? "50", 1, 10_000);
  const keyring = await Keyring.create(await derivedKeys(KEY, true));
  installKeyring(keyring, { kind: "environment", path: null, created: false });

  // bench/api/events.lua's mix: 1 event in 200 has free text (a payment failure's reason).
  const mixed = Array.from(
    { length: BATCH },
    (_, i) => i % 200 === 0 ? { reason: "card declined" } : { feature: "contracts" },
  );
  const freeText = Array.from({ length: BATCH }, (_, i) => ({
    feature: "contracts",
    note: `Called about the wedding on the ${i % 28 + 1}th: wants peonies`,
  }));
  const customers = Array.from({ length: BATCH }, (_, i) => ({
    name: `Rose & Thorn Floristry ${i}`,
    attributes: { email: `owner${i}@rose-thorn.example`, phone: "+44 7700 900123", teamSize: 3 },
  }));
  const sealed = await Promise.all(customers.map(sealCustomerFields));

  const time = async (work: () => Promise<unknown>): Promise<number> => {
    await work(); // warm-up
    const start = performance.now();
    for (let i = 0; i < batches; i++) await work();
    return (performance.now() - start) / batches;
  };
  const figures = {
    eventsBenchMixMs: await time(() => Promise.all(mixed.map(sealEventProperties))),
    eventsAllFreeTextMs: await time(() => Promise.all(freeText.map(sealEventProperties))),
    customersSealMs: await time(() => Promise.all(customers.map(sealCustomerFields))),
    customersOpenMs: await time(() => openCustomerRows(sealed)),
  };
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  for (
    const line of markdownTable([
      [
        "per batch of 1,000: seal event properties, bench:api mix (1 in 200 free text)",
        ms(figures.eventsBenchMixMs),
      ],
      ["seal event properties, every event with free text", ms(figures.eventsAllFreeTextMs)],
      ["seal customers (name, email, phone, blind index)", ms(figures.customersSealMs)],
      ["open customers (name, email, phone)", ms(figures.customersOpenMs)],
    ])
  ) say(line);
  say(`Saved to ${await saveFigures("encryption", { batches, ...figures })}`);
});
