package io.acqswitch.sim;

import io.acqswitch.iso.CardData;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an {@link IssuerStub} applied: every debit, credit and balance inquiry keyed by the switch's
 * RRN (field 37; terminal + STAN when a request carries none), the reversals applied to them, the
 * reversals whose original was never seen, and each card's net debit.
 *
 * <p>Thread-safe: every method holds the ledger's monitor, so a decision (balance check and debit)
 * is atomic across connections. Full PANs are kept in memory only to find a card's balance; every
 * snapshot, export and {@code toString} shows them masked.
 */
public final class Ledger {
    /**
     * A financial request to decide and record; {@code toString} masks the PAN. {@code originalStan}
     * is field 90's original STAN ("" when absent): for a credit, the debit it refunds.
     */
    public record Request(LedgerEntry.Kind kind, String rrn, String stan, String terminalId, String mti,
                          String processingCode, String pan, long amount, String currency, String originalStan) {
        @Override
        public String toString() {
            return kind + " rrn=" + rrn + " stan=" + stan + " pan=" + CardData.maskPan(pan) + " amount=" + amount;
        }
    }

    /** A reversal to apply; {@code originalStan} is from field 90 ("" when absent). */
    public record Reversal(String rrn, String stan, String terminalId, String mti, String pan, long amount,
                           String originalStan) {
        @Override
        public String toString() {
            return mti + " rrn=" + rrn + " stan=" + stan + " originalStan=" + originalStan;
        }
    }

    /** How {@link #record} treated a request. */
    public enum Status {
        /** First seen: decided and applied now. */
        NEW,
        /** Seen before with the same card, amount and kind: the first decision is to be replayed. */
        REPEAT,
        /** Its RRN (or terminal + STAN) belongs to a different request: nothing applied. */
        CONFLICT
    }

    /**
     * @param entry     the entry as it stands after this request
     * @param available the card's available balance after it, or null when the card is unlimited
     */
    public record Outcome(Status status, LedgerEntry entry, Long available) {}

    /** How {@link #reverse} treated a reversal. */
    public enum ReversalResult {
        /** The original was found and is now reversed. */
        APPLIED,
        /** The original was already reversed: nothing changed but the count of reversals received. */
        ALREADY_APPLIED,
        /** No original is known: recorded as an orphan reversal. */
        ORPHAN,
        /** Not applied: it would reverse a debit while a credit against it stands (see {@link #guardRefusals}). */
        REFUSED
    }

    /** The answer to a credit the guard refuses: it would credit more than stands of its debit. */
    public static final String GUARD_REFUSAL = "61";

    private final Clock clock;
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final Map<String, Row> byTerminalStan = new HashMap<>();
    private final Map<String, Card> cards = new HashMap<>();
    private final Map<String, OrphanReversal> orphans = new LinkedHashMap<>();
    private long authSequence;
    private long guardRefusals;

    public Ledger(Clock clock) {
        this.clock = clock;
    }

    /**
     * Decides {@code request} under {@code rules} and applies it, unless it repeats an entry already
     * recorded under the same key, in which case the entry is returned for replay.
     */
    public synchronized Outcome record(Request request, StubRules rules, boolean withheld) {
        Row existing = rows.get(key(request.rrn(), request.terminalId(), request.stan()));
        if (existing != null) {
            if (!existing.sameRequest(request)) {
                return new Outcome(Status.CONFLICT, existing.snapshot(), available(existing.card, rules));
            }
            existing.repeats++;
            return new Outcome(Status.REPEAT, existing.snapshot(), available(existing.card, rules));
        }
        Card card = cards.computeIfAbsent(request.pan(), Card::new);
        Row refunded = request.kind() == LedgerEntry.Kind.CREDIT && !request.originalStan().isEmpty()
                ? byTerminalStan.get(terminalStan(request.terminalId(), request.originalStan())) : null;
        String code = request.kind() == LedgerEntry.Kind.DEBIT
                ? rules.decideDebit(request.pan(), request.amount(), available(card, rules))
                : rules.decideNonDebit(request.pan());
        if ("00".equals(code) && refunded != null && request.amount() > refunded.standing()) {
            guardRefusals++; // the switch let through a credit beyond what stands of its debit
            code = GUARD_REFUSAL;
        }
        Row row = new Row(request, card, code, "00".equals(code) ? nextAuthCode() : "", withheld, clock.instant());
        if (refunded != null) {
            refunded.credits.add(row);
        }
        card.netDebited += row.snapshot().netDebit();
        rows.put(row.key, row);
        byTerminalStan.put(terminalStan(request.terminalId(), request.stan()), row);
        return new Outcome(Status.NEW, row.snapshot(), available(card, rules));
    }

    /**
     * Applies a reversal to its original, found by RRN, else by field 90's original STAN on the same
     * terminal. Applied at most once per original; an unknown original is recorded as an orphan.
     */
    public synchronized ReversalResult reverse(Reversal reversal) {
        Row original = reversal.rrn().isEmpty() ? null : rows.get(key(reversal.rrn(), "", ""));
        if (original == null && !reversal.originalStan().isEmpty()) {
            original = byTerminalStan.get(terminalStan(reversal.terminalId(), reversal.originalStan()));
        }
        Instant now = clock.instant();
        if (original == null) {
            recordOrphan(reversal, now);
            return ReversalResult.ORPHAN;
        }
        original.reversalsReceived++;
        if (original.reversedAt != null) {
            return ReversalResult.ALREADY_APPLIED;
        }
        if (original.credits.stream().anyMatch(c -> c.snapshot().netDebit() != 0)) {
            guardRefusals++; // reversing the debit would leave the card the credit on top
            return ReversalResult.REFUSED;
        }
        original.card.netDebited -= original.snapshot().netDebit();
        original.reversedAt = now;
        return ReversalResult.APPLIED;
    }

    /** The card's available balance under {@code rules}, or empty when the card has no configured balance. */
    public synchronized Optional<Long> available(String pan, StubRules rules) {
        return Optional.ofNullable(available(cards.computeIfAbsent(pan, Card::new), rules));
    }

    /** Every entry, oldest first. */
    public synchronized List<LedgerEntry> entries() {
        List<LedgerEntry> out = new ArrayList<>(rows.size());
        rows.values().forEach(r -> out.add(r.snapshot()));
        return List.copyOf(out);
    }

    /** The entry recorded under {@code rrn}. */
    public synchronized Optional<LedgerEntry> entry(String rrn) {
        Row row = rrn == null || rrn.isEmpty() ? null : rows.get(key(rrn, "", ""));
        return Optional.ofNullable(row).map(Row::snapshot);
    }

    /**
     * Requests and reversals refused because they would give a card more credit than it was debited
     * for one original: a credit beyond what stands of the debit it names, or the reversal of a debit
     * while a credit against it stands. The switch's lifecycle rules should make this impossible;
     * tests assert it stays 0.
     */
    public synchronized long guardRefusals() {
        return guardRefusals;
    }

    /** Reversals whose original is unknown, first received first. */
    public synchronized List<OrphanReversal> orphanReversals() {
        return List.copyOf(orphans.values());
    }

    public synchronized LedgerSummary summary() {
        return summarize(entries(), orphans.size());
    }

    /** {@code {"summary":{…},"entries":[…],"orphanReversals":[…]}}, PANs masked. */
    public String toJson() {
        List<LedgerEntry> e;
        List<OrphanReversal> o;
        synchronized (this) {
            e = entries();
            o = orphanReversals();
        }
        return LedgerExport.json(summarize(e, o.size()), e, o);
    }

    /** The issuer ledger export (layout in {@link LedgerExport#CSV_HEADER}), PANs masked. */
    public String toCsv() {
        List<LedgerEntry> e;
        List<OrphanReversal> o;
        synchronized (this) {
            e = entries();
            o = orphanReversals();
        }
        return LedgerExport.csv(e, o);
    }

    /** Forgets every entry, orphan and card: balances are back to the rules' opening balances. */
    public synchronized void clear() {
        rows.clear();
        byTerminalStan.clear();
        guardRefusals = 0;
        cards.clear();
        orphans.clear();
    }

    @Override
    public synchronized String toString() {
        return "Ledger" + summarize(entries(), orphans.size());
    }

    private void recordOrphan(Reversal r, Instant now) {
        String key = r.rrn().isEmpty() ? terminalStan(r.terminalId(), r.originalStan().isEmpty() ? r.stan() : r.originalStan()) : r.rrn();
        OrphanReversal before = orphans.get(key);
        orphans.put(key, before == null
                ? new OrphanReversal(r.rrn(), r.stan(), r.terminalId(), r.mti(), CardData.maskPan(r.pan()), r.amount(),
                        r.originalStan(), 1, now, now)
                : new OrphanReversal(before.rrn(), before.stan(), before.terminalId(), before.mti(), before.maskedPan(),
                        before.amount(), before.originalStan(), before.received() + 1, before.firstReceivedAt(), now));
    }

    private static LedgerSummary summarize(List<LedgerEntry> entries, int orphanCount) {
        int debitsApproved = 0, debitsDeclined = 0, debitsReversed = 0, creditsApproved = 0, creditsReversed = 0;
        int balance = 0, repeats = 0, withheld = 0;
        long debitAmount = 0, reversedAmount = 0, creditAmount = 0, net = 0;
        for (LedgerEntry e : entries) {
            repeats += e.repeats();
            withheld += e.withheld() ? 1 : 0;
            net += e.netDebit();
            switch (e.kind()) {
                case DEBIT -> {
                    if (!e.approved()) {
                        debitsDeclined++;
                        continue;
                    }
                    debitsApproved++;
                    debitAmount += e.amount();
                    if (e.reversed()) {
                        debitsReversed++;
                        reversedAmount += e.amount();
                    }
                }
                case CREDIT -> {
                    if (e.approved()) {
                        creditsApproved++;
                        creditAmount += e.amount();
                        creditsReversed += e.reversed() ? 1 : 0;
                    }
                }
                case BALANCE -> balance++;
            }
        }
        return new LedgerSummary(entries.size(), debitsApproved, debitAmount, debitsDeclined, debitsReversed,
                reversedAmount, creditsApproved, creditAmount, creditsReversed, balance, repeats, withheld,
                orphanCount, net);
    }

    private String nextAuthCode() {
        authSequence = authSequence % 999_999 + 1;
        return String.format("%06d", authSequence);
    }

    private static Long available(Card card, StubRules rules) {
        Long opening = rules.openingBalance(card.pan);
        return opening == null ? null : opening - card.netDebited;
    }

    private static String key(String rrn, String terminalId, String stan) {
        return rrn != null && !rrn.isEmpty() ? "R" + rrn : "S" + terminalStan(terminalId, stan);
    }

    private static String terminalStan(String terminalId, String stan) {
        return terminalId + "/" + stan;
    }

    /** One card's running net debit; holds the full PAN, so it never prints it. */
    private static final class Card {
        final String pan;
        long netDebited;

        Card(String pan) {
            this.pan = pan;
        }

        @Override
        public String toString() {
            return CardData.maskPan(pan) + " net=" + netDebited;
        }
    }

    /** The mutable state behind one {@link LedgerEntry}. */
    private static final class Row {
        final String key;
        final Request request;
        final Card card;
        final String responseCode;
        final String authCode;
        final boolean withheld;
        final Instant receivedAt;
        int reversalsReceived;
        int repeats;
        Instant reversedAt;
        /** For a debit: the credits that named it (field 90). */
        final List<Row> credits = new ArrayList<>(0);

        Row(Request request, Card card, String responseCode, String authCode, boolean withheld, Instant receivedAt) {
            this.key = key(request.rrn(), request.terminalId(), request.stan());
            this.request = request;
            this.card = card;
            this.responseCode = responseCode;
            this.authCode = authCode;
            this.withheld = withheld;
            this.receivedAt = receivedAt;
        }

        /** What stands of this debit once its standing credits are taken off (0 when not an approved, unreversed debit). */
        long standing() {
            long left = snapshot().netDebit();
            for (Row c : credits) {
                left += c.snapshot().netDebit(); // a credit's net debit is minus its amount
            }
            return left;
        }

        boolean sameRequest(Request other) {
            return request.kind() == other.kind() && request.amount() == other.amount() && request.pan().equals(other.pan());
        }

        LedgerEntry snapshot() {
            Request r = request;
            return new LedgerEntry(r.rrn(), r.stan(), r.terminalId(), r.mti(), r.processingCode(),
                    CardData.maskPan(r.pan()), r.amount(), r.currency(), r.kind(), responseCode, authCode, withheld,
                    reversedAt != null, reversalsReceived, repeats, receivedAt, reversedAt);
        }

        @Override
        public String toString() {
            return snapshot().toString();
        }
    }
}
