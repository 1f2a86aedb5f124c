package io.acqswitch.pipeline;

import io.acqswitch.iso.TerminalRequest;
import org.jpos.iso.ISOMsg;

/**
 * A ring slot, reused for ever: publishers fill the fields their {@link EventType} needs, the
 * processor reads them and {@link #clear()}s the references. Never kept beyond one event.
 */
public final class SwitchEvent {
    public EventType type;
    public TerminalRequest request;
    public ReplyAddress terminal;
    public ISOMsg issuerMessage;
    public int issuer;
    public String rrn;
    /** Operations commands: who asked and why. */
    public String note;
    /** {@link EventType#DELIVERIES}: the outcomes. */
    public Deliveries deliveries;
    /** {@link EventType#TASK}: what to run. */
    public Runnable task;

    public void clear() {
        type = null;
        request = null;
        terminal = null;
        issuerMessage = null;
        rrn = null;
        note = null;
        deliveries = null;
        task = null;
    }
}
