/** The command line: {@code run} the switch, {@code send} a message as a terminal, and later tools. */
package io.acqswitch.cli;
