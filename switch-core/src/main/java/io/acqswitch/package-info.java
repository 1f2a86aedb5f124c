/** The acquirer switch: {@link io.acqswitch.SwitchNode} wires the stages of one node together. */
package io.acqswitch;
