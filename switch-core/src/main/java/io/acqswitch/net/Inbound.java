package io.acqswitch.net;

import io.acqswitch.iso.Malformation;
import io.acqswitch.iso.TerminalRequest;
import org.jpos.iso.ISOMsg;

/** What the ISO decoder hands to the terminal handler: a valid request or a rejection. */
sealed interface Inbound {
    /**
     * A message that unpacked, classified and validated.
     *
     * @param body the frame body as received (header included): the bytes its MAC covers
     */
    record Accepted(TerminalRequest request, byte[] body) implements Inbound {}

    /**
     * A message the switch will not process.
     *
     * @param partial whatever fields were read before the problem (MTI and STAN, if lucky)
     * @param detail  for the log; never contains card data
     */
    record Rejected(Malformation reason, String detail, ISOMsg partial) implements Inbound {}
}
