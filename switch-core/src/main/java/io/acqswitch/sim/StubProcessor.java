package io.acqswitch.sim;

import io.acqswitch.iso.ResponseCode;
import io.acqswitch.iso.Responses;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.jpos.iso.ISOMsg;

/**
 * Decides what the stub does with one request: applies it to the {@link Ledger} and returns the
 * answer to send and when, or no answer. Thread-safe (state lives in the ledger); runs on the
 * connection's event loop and never blocks.
 */
final class StubProcessor {
    /** The answer to send after {@code delayMs}, or none ({@code answer} null). */
    record Reply(ISOMsg answer, long delayMs) {
        static final Reply NONE = new Reply(null, 0);
    }

    private final Ledger ledger;
    private final Supplier<ActiveRules> rules;

    StubProcessor(Ledger ledger, Supplier<ActiveRules> rules) {
        this.ledger = ledger;
        this.rules = rules;
    }

    Reply handle(ISOMsg request) {
        String mti = request.getString(0);
        if (mti == null || mti.length() != 4) {
            return Reply.NONE;
        }
        ActiveRules active = rules.get();
        String first = mti.charAt(3) == '1' ? mti.substring(0, 3) + '0' : mti;
        return switch (first) {
            case "0800" -> reply(networkManagement(request), latency(active.rules()));
            case "0100", "0200", "0220" -> financial(request, first, active.rules());
            case "0400", "0420" -> reversal(request, active);
            default -> reply(Responses.answer(request, ResponseCode.INVALID_TRANSACTION), latency(active.rules()));
        };
    }

    private static ISOMsg networkManagement(ISOMsg request) {
        String code = request.getString(70);
        boolean known = "001".equals(code) || "002".equals(code) || "301".equals(code);
        return Responses.answer(request, known ? ResponseCode.APPROVED : ResponseCode.INVALID_TRANSACTION);
    }

    private Reply financial(ISOMsg request, String mti, StubRules r) {
        long delay = latency(r);
        LedgerEntry.Kind kind = kind(mti, field(request, 3));
        if (kind == null) {
            return reply(Responses.answer(request, ResponseCode.INVALID_TRANSACTION), delay);
        }
        String pan = field(request, 2);
        long amount = amount(request);
        if (!isDigits(pan) || (kind != LedgerEntry.Kind.BALANCE && amount < 0)) {
            return reply(Responses.answer(request, ResponseCode.FORMAT_ERROR), delay);
        }
        if (!ResponseCode.APPROVED.equals(r.pinCheck(pan, request.hasField(52) ? request.getBytes(52) : null))) {
            return reply(Responses.answer(request, ResponseCode.WRONG_PIN), delay); // wrong PIN: nothing applied
        }
        boolean withhold = r.withholds(field(request, 4))
                || (r.withholdRatio() > 0 && ThreadLocalRandom.current().nextDouble() < r.withholdRatio());
        String f90 = field(request, 90);
        Ledger.Outcome outcome = ledger.record(new Ledger.Request(kind, field(request, 37), field(request, 11),
                field(request, 41), request.getString(0), field(request, 3), pan, Math.max(amount, 0),
                field(request, 49), f90.length() >= 10 ? f90.substring(4, 10) : ""), r, withhold);
        if (outcome.status() == Ledger.Status.CONFLICT) {
            return reply(Responses.answer(request, ResponseCode.DUPLICATE_TRANSMISSION), delay);
        }
        captureHold(request, outcome);
        if (withhold) {
            return Reply.NONE;
        }
        return reply(financialAnswer(request, outcome), delay + r.lateAnswerMs());
    }

    /**
     * An approved pre-authorization completion (0200 or advice 0220, 00xxxx, condition 06) naming its
     * pre-authorization in field 90 releases that hold (shown as reversed): the card ends debited
     * by the completion amount only.
     */
    private void captureHold(ISOMsg request, Ledger.Outcome outcome) {
        String f90 = field(request, 90);
        String mti = request.getString(0);
        if (outcome.entry().approved() && ("0200".equals(mti) || "0220".equals(mti)) && "06".equals(field(request, 25))
                && f90.length() >= 10) {
            ledger.reverse(new Ledger.Reversal("", field(request, 11), field(request, 41), "0200",
                    field(request, 2), 0, f90.substring(4, 10)));
        }
    }

    private static ISOMsg financialAnswer(ISOMsg request, Ledger.Outcome outcome) {
        LedgerEntry e = outcome.entry();
        ISOMsg answer = Responses.answer(request, e.responseCode());
        answer.unset(38);
        if (e.approved()) {
            answer.set(38, e.authCode());
            if (e.kind() == LedgerEntry.Kind.BALANCE && outcome.available() != null) {
                answer.set(54, additionalAmount(outcome.available(), e.currency()));
            }
        }
        return answer;
    }

    /** Field 54, one amount: account type 00, amount type 02 (available), currency, sign, n12. */
    private static String additionalAmount(long available, String currency) {
        String ccy = currency.length() == 3 ? currency : "840";
        return "0002" + ccy + (available < 0 ? 'D' : 'C') + String.format("%012d", Math.abs(available));
    }

    private Reply reversal(ISOMsg request, ActiveRules active) {
        if (active.ignoreNextReversal()) {
            return Reply.NONE;
        }
        String f90 = field(request, 90);
        Ledger.ReversalResult result = ledger.reverse(new Ledger.Reversal(field(request, 37), field(request, 11),
                field(request, 41), request.getString(0), field(request, 2), Math.max(amount(request), 0),
                f90.length() >= 10 ? f90.substring(4, 10) : ""));
        String code = result == Ledger.ReversalResult.REFUSED ? ResponseCode.INVALID_TRANSACTION : ResponseCode.APPROVED;
        return reply(Responses.answer(request, code), latency(active.rules()));
    }

    /** The ledger kind of a financial request, or null when the stub does not serve it (answered 12). */
    private static LedgerEntry.Kind kind(String mti, String processingCode) {
        String type = processingCode.length() >= 2 ? processingCode.substring(0, 2) : "";
        return switch (type) {
            case "00" -> LedgerEntry.Kind.DEBIT;
            case "03" -> "0220".equals(mti) ? null : LedgerEntry.Kind.DEBIT;
            case "31" -> "0220".equals(mti) ? null : LedgerEntry.Kind.BALANCE;
            case "20" -> "0100".equals(mti) ? null : LedgerEntry.Kind.CREDIT;
            default -> null;
        };
    }

    private static Reply reply(ISOMsg answer, long delayMs) {
        return answer == null ? Reply.NONE : new Reply(answer, delayMs);
    }

    private static long latency(StubRules r) {
        long jitter = r.latencyJitterMs() > 0 ? ThreadLocalRandom.current().nextLong(r.latencyJitterMs() + 1) : 0;
        return r.latencyMs() + jitter;
    }

    /** Field 4 in minor units, or -1 when absent or not numeric. */
    private static long amount(ISOMsg m) {
        String s = field(m, 4);
        if (!isDigits(s) || s.length() > 18) {
            return -1;
        }
        return Long.parseLong(s);
    }

    private static String field(ISOMsg m, int f) {
        String s = m.getString(f);
        return s != null ? s : "";
    }

    private static boolean isDigits(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
