package io.acqswitch.iso;

/** Field 39 values the switch produces (docs/domain.md, "Response codes"; docs/lifecycle.md for the rules that give them). */
public final class ResponseCode {
    public static final String APPROVED = "00";
    public static final String DO_NOT_HONOUR = "05";
    public static final String INVALID_TRANSACTION = "12";
    public static final String INVALID_AMOUNT = "13";
    public static final String INVALID_CARD = "14";
    public static final String NO_SUCH_ISSUER = "15";
    public static final String SUSPECTED_MALFUNCTION = "22";
    public static final String UNABLE_TO_LOCATE_ORIGINAL = "25";
    public static final String FORMAT_ERROR = "30";
    public static final String INSUFFICIENT_FUNDS = "51";
    public static final String EXPIRED_CARD = "54";
    public static final String WRONG_PIN = "55";
    /** ISO: security violation (a MAC that does not verify on an iso87 listener). */
    public static final String SECURITY_VIOLATION = "63";
    public static final String NOT_PERMITTED_TO_TERMINAL = "58";
    public static final String EXCEEDS_LIMIT = "61";
    public static final String ORIGINAL_AMOUNT_INCORRECT = "64";
    public static final String RESPONSE_TOO_LATE = "68";
    public static final String ISSUER_INOPERATIVE = "91";
    public static final String DUPLICATE_TRANSMISSION = "94";
    public static final String SYSTEM_MALFUNCTION = "96";
    /** UnionPay: issuer did not answer in time ({@code cup}'s counterpart of {@link #RESPONSE_TOO_LATE}). */
    public static final String ISSUER_TIMEOUT_CUP = "98";
    /** UnionPay: MAC error (the terminal signs on again). */
    public static final String MAC_ERROR_CUP = "A0";

    private ResponseCode() {}
}
