package io.acqswitch.sim;

import io.acqswitch.iso.TransmissionTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.jpos.iso.ISOMsg;

/** Builds the requests a POS terminal sends, in {@code iso87} field layout. */
public final class TerminalMessages {
    private static final DateTimeFormatter F12 = DateTimeFormatter.ofPattern("HHmmss");
    private static final DateTimeFormatter F13 = DateTimeFormatter.ofPattern("MMdd");

    private TerminalMessages() {}

    /** 0800 with field 70 = {@code code} (001 sign-on, 002 sign-off, 301 echo). */
    public static ISOMsg networkManagement(String code, String stan, String terminalId) {
        ISOMsg m = new ISOMsg("0800");
        m.set(7, TransmissionTime.now());
        m.set(11, stan);
        m.set(41, terminalId);
        m.set(70, code);
        return m;
    }

    /** 0200 purchase (processing code 000000). */
    public static ISOMsg sale(String pan, long amount, String stan, String terminalId, String merchantId) {
        return financial("0200", "000000", pan, amount, stan, terminalId, merchantId);
    }

    /** 0200 void (processing code 200000) of the sale with retrieval reference {@code rrn} and auth code {@code auth}. */
    public static ISOMsg voidOf(String pan, long amount, String rrn, String auth, String stan, String terminalId,
                                String merchantId) {
        ISOMsg m = financial("0200", "200000", pan, amount, stan, terminalId, merchantId);
        m.set(37, rrn);
        if (auth != null) {
            m.set(38, auth);
        }
        return m;
    }

    /** 0220 refund (processing code 200000) of the sale with retrieval reference {@code rrn}. */
    public static ISOMsg refundOf(String pan, long amount, String rrn, String stan, String terminalId,
                                  String merchantId) {
        ISOMsg m = financial("0220", "200000", pan, amount, stan, terminalId, merchantId);
        m.set(37, rrn);
        return m;
    }

    /** 0100 pre-authorization (processing code 030000, condition 06). */
    public static ISOMsg preAuth(String pan, long amount, String stan, String terminalId, String merchantId) {
        ISOMsg m = financial("0100", "030000", pan, amount, stan, terminalId, merchantId);
        m.set(25, "06");
        return m;
    }

    /**
     * A request acting on an earlier one ({@code rrn}, {@code auth}) under pre-authorization
     * conditions (25 = 06): completion {@code 0200/000000}, completion void {@code 0200/200000},
     * pre-authorization void {@code 0100/200000}.
     */
    public static ISOMsg preAuthFollowUp(String mti, String processingCode, String pan, long amount, String rrn,
                                         String auth, String stan, String terminalId, String merchantId) {
        ISOMsg m = financial(mti, processingCode, pan, amount, stan, terminalId, merchantId);
        m.set(25, "06");
        m.set(37, rrn);
        m.set(38, auth);
        return m;
    }

    /** A financial request with the fields a magnetic-stripe or chip terminal typically sends. */
    public static ISOMsg financial(String mti, String processingCode, String pan, long amount, String stan,
                                   String terminalId, String merchantId) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        ISOMsg m = new ISOMsg(mti);
        m.set(2, pan);
        m.set(3, processingCode);
        m.set(4, String.format("%012d", amount));
        m.set(7, TransmissionTime.now());
        m.set(11, stan);
        m.set(12, now.format(F12));
        m.set(13, now.format(F13));
        m.set(22, "021");
        m.set(25, "00");
        m.set(41, terminalId);
        m.set(42, merchantId);
        m.set(49, "840");
        return m;
    }
}
