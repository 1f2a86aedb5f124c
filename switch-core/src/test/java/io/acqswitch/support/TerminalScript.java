package io.acqswitch.support;

import io.acqswitch.sim.TerminalMessages;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.jpos.iso.ISOMsg;

/**
 * What a kill test's terminal sends next and remembers, as real terminals behave: mostly new sales
 * (a random card), sometimes its last approved sale again as it was (a repeat), sometimes a 0400 of
 * an earlier approved sale. The RRN it notes on an approved sale is only the test's note of which
 * sale to reverse or repeat later. One per terminal thread: not thread-safe.
 */
public final class TerminalScript {
    private final String terminalId;
    private final String merchantId;
    private final List<ISOMsg> approved = new ArrayList<>();
    private ISOMsg last;
    private String lastRrn; // the switch's RRN of the approved sale that last is

    public TerminalScript(String terminalId, String merchantId) {
        this.terminalId = terminalId;
        this.merchantId = merchantId;
    }

    /**
     * One request of the script.
     *
     * @param reverses the RRN of the approved sale a 0400 reverses; null for a sale or a repeat
     * @param repeat   the terminal's last approved sale sent again, as it was
     */
    public record Step(ISOMsg request, String reverses, boolean repeat) {
        public boolean reversal() {
            return reverses != null;
        }

        /** {@code sale}, {@code repeat} or {@code reversal}: for tallies. */
        public String kind() {
            return reversal() ? "reversal" : repeat ? "repeat" : "sale";
        }
    }

    /** The next request: 8 % a repeat, 8 % a 0400 of an earlier approved sale (when there is one), else a sale of {@code amount}. */
    public Step next(Random random, String stan, LongSupplier amount) {
        int dice = random.nextInt(100);
        if (dice < 8 && last != null) {
            return new Step(last, null, true);
        }
        if (dice < 16 && !approved.isEmpty()) {
            ISOMsg original = approved.remove(random.nextInt(approved.size()));
            ISOMsg reversal = (ISOMsg) original.clone();
            reversal.unset(37);
            reversal.set(0, "0400");
            return new Step(reversal, original.getString(37), false);
        }
        String pan = "47617390010" + String.format("%05d", random.nextInt(100_000));
        return new Step(TerminalMessages.sale(pan, amount.getAsLong(), stan, terminalId, merchantId), null, false);
    }

    /** Notes the answer to {@code step}: an approved new sale may be repeated and reversed later. */
    public void answered(Step step, ISOMsg answer) {
        if (!step.repeat() && !step.reversal() && "00".equals(answer.getString(39))) {
            ISOMsg sale = (ISOMsg) step.request().clone();
            sale.set(37, answer.getString(37));
            approved.add(sale);
            last = step.request();
            lastRrn = answer.getString(37);
        }
    }

    /**
     * The terminal reversed {@code step} after its answer never came: it repeats its last sale no
     * more. Returns the RRN of the approved sale that reverses (a 0400's original; a repeat's sale),
     * or null for a sale never answered.
     */
    public String reversedAfterCutOff(Step step) {
        String rrn = step.reversal() ? step.reverses() : step.repeat() ? lastRrn : null;
        last = null;
        return rrn;
    }

    /** The earliest approved sale not yet reversed whose RRN is {@code ok} (37 set), or null. */
    public ISOMsg earliestApproved(Predicate<String> ok) {
        return approved.stream().filter(s -> ok.test(s.getString(37))).findFirst().orElse(null);
    }

    /** The terminal reversed {@code sale} (from {@link #earliestApproved}): it is no longer to be reversed or repeated. */
    public void reversed(ISOMsg sale) {
        approved.remove(sale);
        if (sale.getString(37).equals(lastRrn)) {
            last = null;
        }
    }
}
