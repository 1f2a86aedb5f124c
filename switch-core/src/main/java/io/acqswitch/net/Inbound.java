package io.acqswitch.net;

import io.acqswitch.iso.Malformation;
import io.acqswitch.iso.TerminalRequest;
import org.jpos.iso.ISOMsg;

/**
 * What the ISO decoder ({@link IsoMessageDecoder}) hands on, on every side (terminal listeners,
 * issuer links, the issuer stub): a message that unpacked, or a rejection. On a terminal connection
 * the classifier then turns an unpacked message into a request or a rejection.
 */
public sealed interface Inbound {
    /**
     * A frame body that unpacked with the side's packager.
     *
     * @param body the frame body as received (header included): the bytes a MAC covers
     */
    record Unpacked(ISOMsg message, byte[] body) implements Inbound {}

    /**
     * A terminal's message that unpacked, classified and validated.
     *
     * @param body the frame body as received (header included): the bytes its MAC covers
     */
    record Accepted(TerminalRequest request, byte[] body) implements Inbound {}

    /**
     * A message that will not be processed.
     *
     * @param partial whatever fields were read before the problem (MTI and STAN, if lucky)
     * @param detail  for the log; never contains card data
     */
    record Rejected(Malformation reason, String detail, ISOMsg partial) implements Inbound {}
}
