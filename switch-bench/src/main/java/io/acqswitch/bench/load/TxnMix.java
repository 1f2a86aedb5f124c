package io.acqswitch.bench.load;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What share of the load is which kind of transaction: weights of sales, duplicates, voids and
 * terminal reversals ({@code --mix sale=80,duplicate=10,void=5,reversal=5}), and the percentage of
 * sales that go to a card whose issuer never answers ({@code --timeouts PCT}). Immutable.
 *
 * @param sale       weight of new 0200 sales (must be &gt; 0: the other kinds act on earlier sales)
 * @param duplicate  weight of exact re-sends of an earlier sale of the same terminal
 * @param voids      weight of 0200 voids (processing code 200000) of an earlier approved sale
 * @param reversal   weight of 0400 reversals (field 90 naming the sale) of an earlier approved sale
 * @param timeoutPct percentage (0..100) of sales sent with the card the silent issuer withholds answers for
 */
record TxnMix(int sale, int duplicate, int voids, int reversal, double timeoutPct) {
    /** 100 % sales, no timeouts: the default, so figures stay comparable with earlier runs. */
    static final TxnMix SALES_ONLY = new TxnMix(100, 0, 0, 0, 0);

    /** What the generator sends, and the answer that kind must get. */
    enum Kind {
        /** A new 0200 sale; answered 00. */
        SALE,
        /** A sale to the card whose issuer never answers; answered 68 once the issuer deadline passes. */
        TIMEOUT,
        /** The exact bytes of an earlier sale again; answered as that sale was (00, or 68 once it was reversed). */
        DUPLICATE,
        /** A void of an earlier approved sale; answered 00, the sale is reversed at the issuer. */
        VOID,
        /** A 0400 of an earlier approved sale; answered 00, the sale is reversed at the issuer. */
        REVERSAL;

        /** True when {@code code} is the answer this kind must get. */
        boolean expects(String code) {
            return switch (this) {
                case SALE, VOID, REVERSAL -> "00".equals(code);
                case TIMEOUT -> "68".equals(code);
                case DUPLICATE -> "00".equals(code) || "68".equals(code);
            };
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** @throws IllegalArgumentException as {@code --option=value: why} when a value is out of range */
    TxnMix {
        if (sale <= 0 || duplicate < 0 || voids < 0 || reversal < 0) {
            throw new IllegalArgumentException("--mix=" + spec(sale, duplicate, voids, reversal)
                    + ": weights must be >= 0 and sale > 0");
        }
        if (!(timeoutPct >= 0 && timeoutPct <= 100)) {
            throw new IllegalArgumentException("--timeouts=" + timeoutPct + ": a percentage of sales, 0 to 100");
        }
    }

    /**
     * Parses {@code sale=80,duplicate=10,void=5,reversal=5} (kinds left out weigh 0; the weights need
     * not add up to 100) and {@code --timeouts}' percentage; null means the default.
     *
     * @throws IllegalArgumentException as {@code --mix=value: why} or {@code --timeouts=value: why}
     */
    static TxnMix parse(String mix, String timeouts) {
        Map<Kind, Integer> w = new EnumMap<>(Kind.class);
        if (mix == null) {
            w.put(Kind.SALE, 100);
        } else {
            for (String part : mix.split(",", -1)) {
                String[] kv = part.split("=", -1);
                Kind k = kv.length == 2 ? kind(kv[0].trim()) : null;
                if (k == null || w.containsKey(k)) {
                    throw new IllegalArgumentException("--mix=" + mix
                            + ": expected kind=weight pairs, each kind once, kinds sale, duplicate, void, reversal");
                }
                try {
                    w.put(k, Integer.parseInt(kv[1].trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--mix=" + mix + ": " + kv[1] + " is not an integer weight", e);
                }
            }
        }
        if (w.getOrDefault(Kind.SALE, 0) <= 0 || w.values().stream().anyMatch(v -> v < 0)) {
            throw new IllegalArgumentException("--mix=" + mix + ": weights must be >= 0 and sale > 0");
        }
        double pct = 0;
        if (timeouts != null) {
            try {
                pct = Double.parseDouble(timeouts);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--timeouts=" + timeouts + ": a percentage of sales, 0 to 100", e);
            }
        }
        return new TxnMix(w.getOrDefault(Kind.SALE, 0), w.getOrDefault(Kind.DUPLICATE, 0),
                w.getOrDefault(Kind.VOID, 0), w.getOrDefault(Kind.REVERSAL, 0), pct);
    }

    private static Kind kind(String s) {
        return switch (s) {
            case "sale" -> Kind.SALE;
            case "duplicate" -> Kind.DUPLICATE;
            case "void" -> Kind.VOID;
            case "reversal" -> Kind.REVERSAL;
            default -> null;
        };
    }

    /** True for pure sales without timeouts: what every target understands. */
    boolean salesOnly() {
        return duplicate == 0 && voids == 0 && reversal == 0 && timeoutPct == 0;
    }

    /** The kind of the next request; {@link Kind#TIMEOUT} is a share of the sales. Sender thread. */
    Kind pick(SplittableRandom random) {
        int x = random.nextInt(sale + duplicate + voids + reversal);
        if (x < sale) {
            return timeoutPct > 0 && random.nextDouble() * 100 < timeoutPct ? Kind.TIMEOUT : Kind.SALE;
        }
        x -= sale;
        if (x < duplicate) {
            return Kind.DUPLICATE;
        }
        return x - duplicate < voids ? Kind.VOID : Kind.REVERSAL;
    }

    @Override
    public String toString() {
        return spec(sale, duplicate, voids, reversal) + (timeoutPct > 0 ? " timeouts=" + timeoutPct + "%" : "");
    }

    private static String spec(int sale, int duplicate, int voids, int reversal) {
        return "sale=" + sale + ",duplicate=" + duplicate + ",void=" + voids + ",reversal=" + reversal;
    }
}
