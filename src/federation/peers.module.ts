import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { FederationOutbound } from './federation-outbound';
import { FederationSettings } from './federation-settings';
import { PeerClient } from './peer-client';
import { PeersRepository } from './peers.repository';
import { RemoteParentCheck } from './remote-parent-check';

/**
 * The peers of this instance (SPEC §12.2): their addresses, pinned keys and seen checkpoints, and
 * what is sent to them. Below the features that send (statements, propagation); the routes that
 * take what peers send are the federation module's.
 */
@Module({
  imports: [LedgerModule],
  providers: [FederationSettings, PeersRepository, PeerClient, RemoteParentCheck, FederationOutbound],
  exports: [FederationSettings, PeersRepository, PeerClient, RemoteParentCheck, FederationOutbound],
})
export class PeersModule {}
