package io.acqswitch.iso;

import java.util.Arrays;

/**
 * The 11 bytes a UnionPay POS frame carries between its length prefix and its MTI:
 * <pre>
 *   ┌────┬──────────┬──────────┬──────────┬─────────┬───────────────┬──────────────────┐
 *   │ 60 │ dest (2) │ src (2)  │ app type │ version │ status / proc │ sub-version (3)  │
 *   └────┴──────────┴──────────┴──────────┴─────────┴───────────────┴──────────────────┘
 *     TPDU (5 bytes)             header (6 bytes): 60/61, 31, terminal status nibble + processing-requirement nibble
 * </pre>
 * An answer carries the TPDU with destination and source swapped and the request's header
 * unchanged: the switch never asks a terminal to do anything (parameter download, re-sign-on,
 * key update), so it sends back the processing-requirement nibble as the terminal sent it (0,
 * "nothing required", in every terminal we know).
 */
public final class CupHeader {
    /** TPDU (5) + header (6). */
    public static final int LENGTH = 11;
    private static final int TPDU_DESTINATION = 1;
    private static final int TPDU_SOURCE = 3;

    private CupHeader() {}

    /**
     * The header of an answer to a request that came with {@code request}: a copy with the TPDU's
     * destination and source swapped. Anything shorter than a TPDU is copied as it is.
     */
    public static byte[] answerTo(byte[] request) {
        byte[] h = Arrays.copyOf(request, request.length);
        if (h.length >= TPDU_SOURCE + 2) {
            h[TPDU_DESTINATION] = request[TPDU_SOURCE];
            h[TPDU_DESTINATION + 1] = request[TPDU_SOURCE + 1];
            h[TPDU_SOURCE] = request[TPDU_DESTINATION];
            h[TPDU_SOURCE + 1] = request[TPDU_DESTINATION + 1];
        }
        return h;
    }
}
