package io.acqswitch.sim;

import static io.acqswitch.sim.StubWire.connect;
import static io.acqswitch.sim.StubWire.reversal;
import static io.acqswitch.sim.StubWire.request;
import static io.acqswitch.sim.StubWire.sale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The issuer stub's answers and ledger over real sockets with real iso87 bytes. */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a hung socket fails the test instead of the build
class IssuerStubTest {
    private static final String PAN = "4761739001010010";
    private IssuerStub stub;
    private TerminalClient client;

    @BeforeEach
    void start() throws Exception {
        stub = new IssuerStub("test-issuer", "127.0.0.1", 0, StubRules.approveAll()).start();
        client = connect(stub);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        stub.close();
    }

    private static StubRules rules(String yaml) throws Exception {
        return StubRules.parse(yaml);
    }

    @Test
    void shouldApproveDebitAndRecordOneLedgerEntry() throws Exception {
        ISOMsg req = sale(PAN, 1500);
        ISOMsg answer = client.exchange(req);

        assertEquals("0210", answer.getMTI());
        assertEquals("00", answer.getString(39));
        assertEquals(6, answer.getString(38).length());
        for (int f : new int[] {3, 4, 7, 11, 12, 13, 32, 37, 41, 42, 49}) {
            assertEquals(req.getString(f), answer.getString(f), "field " + f + " echoed");
        }
        assertFalse(answer.hasField(2), "the card number is not echoed");
        LedgerEntry e = stub.ledger().entry(req.getString(37)).orElseThrow();
        assertEquals(LedgerEntry.Kind.DEBIT, e.kind());
        assertEquals(1500, e.amount());
        assertEquals("476173******0010", e.maskedPan());
        assertEquals(answer.getString(38), e.authCode());
        assertEquals(1, stub.ledger().summary().debitsApproved());
        assertEquals(1500, stub.ledger().summary().netDebited());
    }

    @Test
    void shouldApplyDebitOnceWhenRequestIsRepeated() throws Exception {
        stub.setRules(rules("balances: {\"" + PAN + "\": 10000}"));
        ISOMsg req = sale(PAN, 4000);
        ISOMsg first = client.exchange(req);
        ISOMsg second = client.exchange(req);

        assertEquals("00", second.getString(39));
        assertEquals(first.getString(38), second.getString(38));
        assertEquals(1, stub.ledger().entries().size());
        assertEquals(1, stub.ledger().entries().getFirst().repeats());
        assertEquals(Optional.of(6000L), stub.availableBalance(PAN));
    }

    @Test
    void shouldAnswer94WhenRrnIsReusedForADifferentRequest() throws Exception {
        ISOMsg req = sale(PAN, 4000);
        client.exchange(req);
        req.set(4, "000000009999");

        assertEquals("94", client.exchange(req).getString(39));
        assertEquals(1, stub.ledger().entries().size());
    }

    @Test
    void shouldDeclineAtOrAboveThreshold() throws Exception {
        stub.setRules(rules("declineAtOrAbove: 10000"));
        assertEquals("00", client.exchange(sale(PAN, 9999)).getString(39));
        ISOMsg declined = client.exchange(sale(PAN, 10000));
        assertEquals("51", declined.getString(39));
        assertFalse(declined.hasField(38));

        stub.setRules(rules("{declineAtOrAbove: 10000, declineAtOrAboveCode: \"61\"}"));
        assertEquals("61", client.exchange(sale(PAN, 20000)).getString(39));
        assertEquals(9999, stub.ledger().summary().netDebited());
        assertEquals(2, stub.ledger().summary().debitsDeclined());
    }

    @Test
    void shouldDeclineByPanSuffix() throws Exception {
        stub.setRules(rules("declineSuffixes: {\"05\": \"05\", \"54\": \"54\", \"0054\": \"14\"}"));
        assertEquals("05", client.exchange(sale("4761739001010005", 100)).getString(39));
        assertEquals("54", client.exchange(sale("4761739001010154", 100)).getString(39));
        assertEquals("14", client.exchange(sale("4761739001010054", 100)).getString(39), "longest suffix wins");
        assertEquals("00", client.exchange(sale(PAN, 100)).getString(39));
    }

    @Test
    void shouldDeclineWhenBalanceIsInsufficientAndLeaveBalanceUnchanged() throws Exception {
        stub.setRules(rules("balances: {\"" + PAN + "\": 5000}"));
        assertEquals("51", client.exchange(sale(PAN, 6000)).getString(39));
        assertEquals(Optional.of(5000L), stub.availableBalance(PAN));

        assertEquals("00", client.exchange(sale(PAN, 3000)).getString(39));
        assertEquals("51", client.exchange(sale(PAN, 2001)).getString(39));
        assertEquals(Optional.of(2000L), stub.availableBalance(PAN));
    }

    @Test
    void shouldCreditRefundAdvice() throws Exception {
        stub.setRules(rules("balances: {\"" + PAN + "\": 5000}"));
        client.exchange(sale(PAN, 3000));
        ISOMsg refund = request("0220", "200000", PAN, 1000);
        ISOMsg answer = client.exchange(refund);

        assertEquals("0230", answer.getMTI());
        assertEquals("00", answer.getString(39));
        assertEquals(LedgerEntry.Kind.CREDIT, stub.ledger().entry(refund.getString(37)).orElseThrow().kind());
        assertEquals(Optional.of(3000L), stub.availableBalance(PAN));
        assertEquals(1, stub.ledger().summary().creditsApproved());
        assertEquals(2000, stub.ledger().summary().netDebited());
    }

    @Test
    void shouldAnswerBalanceInquiryWithoutDebiting() throws Exception {
        stub.setRules(rules("balances: {\"" + PAN + "\": 5000}"));
        ISOMsg inquiry = request("0200", "310000", PAN, 0);
        ISOMsg answer = client.exchange(inquiry);

        assertEquals("00", answer.getString(39));
        assertEquals("0002840C000000005000", answer.getString(54));
        assertEquals(LedgerEntry.Kind.BALANCE, stub.ledger().entries().getFirst().kind());
        assertEquals(0, stub.ledger().summary().netDebited());
        assertEquals(Optional.of(5000L), stub.availableBalance(PAN));
    }

    @Test
    void shouldApplyReversalOnceWhenSentThreeTimes() throws Exception {
        stub.setRules(rules("balances: {\"" + PAN + "\": 5000}"));
        ISOMsg original = sale(PAN, 3000);
        client.exchange(original);

        for (String mti : new String[] {"0420", "0421", "0421"}) {
            ISOMsg answer = client.exchange(reversal(mti, original));
            assertEquals("0430", answer.getMTI());
            assertEquals("00", answer.getString(39));
        }
        LedgerEntry e = stub.ledger().entry(original.getString(37)).orElseThrow();
        assertTrue(e.reversed());
        assertEquals(3, e.reversalsReceived());
        assertEquals(Optional.of(5000L), stub.availableBalance(PAN));
        assertEquals(1, stub.ledger().summary().debitsReversed());
        assertEquals(0, stub.ledger().summary().netDebited());
    }

    @Test
    void shouldFindOriginalByField90WhenRrnDoesNotMatch() throws Exception {
        ISOMsg original = sale(PAN, 700);
        client.exchange(original);
        ISOMsg rev = reversal("0400", original);
        rev.set(37, "999999999999");

        ISOMsg answer = client.exchange(rev);

        assertEquals("0410", answer.getMTI());
        assertTrue(stub.ledger().entry(original.getString(37)).orElseThrow().reversed());
        assertTrue(stub.ledger().orphanReversals().isEmpty());
    }

    @Test
    void shouldAcknowledgeAndRecordOrphanReversalWithoutPreReversingLaterDebit() throws Exception {
        ISOMsg neverSeen = sale(PAN, 800);
        ISOMsg answer = client.exchange(reversal("0420", neverSeen));
        client.exchange(reversal("0421", neverSeen));

        assertEquals("00", answer.getString(39));
        assertEquals(1, stub.ledger().orphanReversals().size());
        assertEquals(2, stub.ledger().orphanReversals().getFirst().received());
        assertEquals(1, stub.ledger().summary().orphanReversals());

        assertEquals("00", client.exchange(neverSeen).getString(39));
        assertFalse(stub.ledger().entry(neverSeen.getString(37)).orElseThrow().reversed());
        assertEquals(800, stub.ledger().summary().netDebited());
    }

    @Test
    void shouldAnswerNetworkManagement() throws Exception {
        for (String code : new String[] {"001", "301", "002"}) {
            ISOMsg answer = client.exchange(TerminalMessages.networkManagement(code, StubWire.nextStan(), "SWITCH01"));
            assertEquals("0810", answer.getMTI());
            assertEquals("00", answer.getString(39));
            assertEquals(code, answer.getString(70));
        }
    }

    @Test
    void shouldAnswer12ForUnsupportedRequestsAndIgnoreResponses() throws Exception {
        assertEquals("12", client.exchange(request("0100", "200000", PAN, 100)).getString(39));
        ISOMsg settlement = request("0500", "920000", PAN, 0);
        assertEquals("0510", client.exchange(settlement).getMTI());

        try (TerminalClient quick = connect(stub, Duration.ofMillis(300))) {
            ISOMsg response = sale(PAN, 100);
            response.set(0, "0210");
            quick.send(response);
            assertThrows(SocketTimeoutException.class, quick::receiveFrame);
            assertEquals("00", quick.exchange(TerminalMessages.networkManagement("301", "000001", "T")).getString(39));
        }
        assertTrue(stub.ledger().entries().isEmpty());
    }

    @Test
    void shouldAnswer30ForDebitWithoutAmount() throws Exception {
        ISOMsg req = sale(PAN, 100);
        req.unset(4);
        assertEquals("30", client.exchange(req).getString(39));
        assertTrue(stub.ledger().entries().isEmpty());
    }

    @Test
    void shouldCloseConnectionOnMalformedInputAndKeepServing() throws Exception {
        try (TerminalClient bad = connect(stub, Duration.ofSeconds(2))) {
            bad.sendFrame(new byte[] {0x02, 0x00, 0x01, 0x02, 0x03});
            assertTrue(bad.isClosedByPeer());
        }
        try (TerminalClient empty = connect(stub, Duration.ofSeconds(2))) {
            empty.sendFrame(new byte[0]);
            assertTrue(empty.isClosedByPeer());
        }
        try (TerminalClient huge = connect(stub, Duration.ofSeconds(2))) {
            huge.sendRaw(new byte[] {(byte) 0xFF, (byte) 0xFF, 0x02, 0x00});
            assertTrue(huge.isClosedByPeer());
        }
        assertEquals("00", client.exchange(sale(PAN, 100)).getString(39));
    }

    @Test
    void shouldMaskPanInEveryTextualView() throws Exception {
        stub.setRules(rules("balances: {\"" + PAN + "\": 5000}"));
        client.exchange(sale(PAN, 100));
        client.exchange(reversal("0420", sale("4761739001019999", 5)));
        for (String text : new String[] {stub.ledger().toJson(), stub.ledger().toCsv(), stub.ledger().toString(),
                stub.ledger().entries().toString(), stub.rules().toString(), stub.ledger().orphanReversals().toString()}) {
            assertFalse(text.contains(PAN), text);
            assertFalse(text.contains("4761739001019999"), text);
        }
    }
}
