package io.pouch.daemon.api;

import io.netty.channel.Channel;

/**
 * What an exchange uses of its client connection: the channel it answers on, the common headers, the gate its
 * streamed writes wait at, the dispatcher it reports a complete answer to and the switch that hijacks it.
 */
record Connection(Channel channel, ResponseHeaders headers, WriteGate gate, ExchangeDispatcher dispatcher,
                  HijackSwitch hijack) {
}
