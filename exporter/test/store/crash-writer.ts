/**
 * Child process of the crash test: opens the store in `argv[2]` and saves synthetic reports in a loop, printing
 * `<id> <seq>` on stdout after each `save` returns, until it is killed. Every third report is large (compressed, a
 * longer transaction) so a kill lands inside a write often.
 */
import { ReportStore } from '../../src/store/report-store.ts';
import { crashReport } from './store-fixture.ts';

const [dir, firstSeqText] = process.argv.slice(2);
if (!dir || !firstSeqText) throw new Error('usage: crash-writer.ts <dataDir> <firstSeq>');
const store = ReportStore.open(dir);
for (let seq = Number(firstSeqText); ; seq++) {
  const id = store.save(crashReport(seq));
  process.stdout.write(`${id} ${seq}\n`);
}
