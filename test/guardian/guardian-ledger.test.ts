// The guardian's reading of its CLI's pipe: the lines, however they are cut, and what they
// call for once the pipe has closed.
import { GuardianLedger } from '../../src/guardian/guardian-ledger.js';
import { encodeMessage, parseMessage, type GuardianMessage } from '../../src/guardian/guardian-protocol.js';
import { shopPlan } from '../fixtures/shop-session.js';

const plan = shopPlan();
const cli = { pid: 4242, startTicks: 777 };
const sessionFile = '/work/shop/.stagecraft/dev/session.json';
const arm: GuardianMessage = { type: 'arm', cli, plan, sessionFile };
const events = { pid: 5001, startTicks: 800 };
const follow = { pid: 5002, startTicks: null };

/** A ledger that read `messages`, written as the CLI writes them, in chunks of `size` characters. */
function ledgerOf(messages: readonly GuardianMessage[], size = Number.POSITIVE_INFINITY): GuardianLedger {
  const ledger = new GuardianLedger();
  const text = messages.map(encodeMessage).join('');
  for (let at = 0; at < text.length; at += size) ledger.push(text.slice(at, at + size));
  return ledger;
}

describe('the guardian protocol', () => {
  it.each<GuardianMessage>([
    { type: 'child', child: events },
    { type: 'child', child: follow },
    { type: 'ended', pid: 5001 },
    arm,
    { type: 'force' },
    { type: 'disarm' },
    { type: 'done' },
  ])('reads back %j as written', (message) => {
    const line = encodeMessage(message);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(parseMessage(line.slice(0, -1))).toEqual(message);
  });

  it.each([
    '',
    'done',
    '{"type":"done"',
    '[]',
    '{"type":"exit"}',
    '{"type":"child","child":{"pid":1,"startTicks":null}}',
    '{"type":"child","child":{"pid":-5,"startTicks":null}}',
    '{"type":"child","child":{"pid":5001}}',
    '{"type":"ended","pid":"5001"}',
    '{"type":"arm","cli":{"pid":4242,"startTicks":777},"plan":{"projectName":"shop"},"sessionFile":"/s.json"}',
    '{"type":"arm","cli":{"pid":4242,"startTicks":777},"sessionFile":"/s.json"}',
  ])('ignores %j', (line) => {
    expect(parseMessage(line)).toBeUndefined();
  });
});

describe('GuardianLedger', () => {
  it('a clean end (done) calls for nothing, whatever came before', () => {
    const ledger = ledgerOf([{ type: 'child', child: events }, arm, { type: 'done' }]);
    expect(ledger.done).toBe(true);
    expect(ledger.verdict()).toEqual({ kind: 'nothing' });
  });

  it('a pipe closed before `up`: the children still running are ended, nothing is torn down', () => {
    const ledger = ledgerOf([{ type: 'child', child: events }, { type: 'child', child: follow }, { type: 'ended', pid: 5001 }]);
    expect(ledger.done).toBe(false);
    expect(ledger.verdict()).toEqual({ kind: 'act', children: [follow], teardown: undefined });
  });

  it('a pipe closed after `up` started: the children end and the plan handed over is torn down', () => {
    const ledger = ledgerOf([{ type: 'child', child: events }, arm, { type: 'child', child: follow }], 7);
    expect(ledger.verdict()).toEqual({ kind: 'act', children: [events, follow], teardown: { cli, plan, sessionFile, forced: false } });
  });

  it('a session forcing its teardown when the pipe closed: the guardian forces too', () => {
    const ledger = ledgerOf([{ type: 'force' }, arm, { type: 'force' }]);
    expect(ledger.verdict()).toEqual({ kind: 'act', children: [], teardown: { cli, plan, sessionFile, forced: true } });
  });

  it('a session that ended (disarm) is not torn down, its children still are', () => {
    const ledger = ledgerOf([arm, { type: 'child', child: follow }, { type: 'disarm' }]);
    expect(ledger.verdict()).toEqual({ kind: 'act', children: [follow], teardown: undefined });
  });

  it('a last line cut short by the CLI dying is never read; garbage between lines is skipped', () => {
    const ledger = new GuardianLedger();
    ledger.push(encodeMessage({ type: 'child', child: events }));
    ledger.push('not json\n');
    ledger.push(encodeMessage(arm));
    ledger.push(encodeMessage({ type: 'done' }).slice(0, -2));
    expect(ledger.verdict()).toEqual({ kind: 'act', children: [events], teardown: { cli, plan, sessionFile, forced: false } });
  });
});
