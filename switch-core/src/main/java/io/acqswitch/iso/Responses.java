package io.acqswitch.iso;

import org.jpos.iso.ISOMsg;

/** Builds answers to terminal requests. */
public final class Responses {
    /**
     * Request fields a response carries back. Card data never is: not the PAN (2; the terminal
     * matches its answer by STAN and terminal id, and the packed answer is kept in the store for
     * replaying duplicates, so echoing 2 would put the full PAN on disk and in the cluster's
     * replication topic), nor 14, 35, 52, 55, nor MACs.
     */
    private static final int[] ECHOED = {0, 3, 4, 7, 11, 12, 13, 24, 25, 32, 37, 38, 41, 42, 49, 60, 61, 70, 90};

    private Responses() {}

    /**
     * The response MTI of a request or advice ({@code 0200 → 0210}, {@code 0421 → 0430}), or
     * {@code null} when {@code mti} is not a four-digit request or advice.
     */
    public static String responseMti(String mti) {
        if (mti == null || mti.length() != 4 || !Validator.isDigits(mti)) {
            return null;
        }
        int function = mti.charAt(2) - '0';
        if (function % 2 != 0) {
            return null;
        }
        int origin = mti.charAt(3) - '0';
        // a repeat (xx21, xx01) is answered like its first transmission
        char answerOrigin = origin == 1 ? '0' : mti.charAt(3);
        return mti.substring(0, 2) + (char) ('0' + function + 1) + answerOrigin;
    }

    /**
     * An answer to {@code request} with field 39 = {@code responseCode}, or {@code null} when the
     * request's MTI cannot be answered (see {@link #responseMti}). A request with a header (cup's
     * TPDU + header) gets it back with the TPDU's destination and source swapped ({@link CupHeader}).
     */
    public static ISOMsg answer(ISOMsg request, String responseCode) {
        String mti = responseMti(request.getString(0));
        if (mti == null) {
            return null;
        }
        ISOMsg r = (ISOMsg) request.clone(ECHOED);
        byte[] header = request.getHeader();
        if (header != null) {
            r.setHeader(CupHeader.answerTo(header)); // the clone shares the request's header object: replace it
        }
        r.set(0, mti);
        r.set(39, responseCode);
        return r;
    }
}
