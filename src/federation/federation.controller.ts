import { Body, Controller, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiPost, ApiRead } from '../common/openapi';
import { MemberIdPipe } from '../common/member-id.pipe';
import { ZodPipe } from '../common/zod.pipe';
import {
  childAnswer,
  ChildAnswer,
  memberImportAnswer,
  MemberImportAnswer,
  memberRegistryAnswer,
  MemberRegistryAnswer,
  peersAnswer,
  PeersAnswer,
  receiptAnswer,
  ReceiptAnswer,
} from './dto/federation.answers';
import { ChildRequest, childRequestSchema, MemberImport, memberImportSchema, ReceiptRequest, receiptRequestSchema } from './dto/federation.requests';
import { FederationService } from './federation.service';
import { FederationReads } from './federation-reads';

const PEER_REFUSALS = ['INVALID_REQUEST', 'UNKNOWN_PEER', 'PEER_UNREACHABLE', 'PEER_BAD_PROOF', 'PEER_EQUIVOCATED', 'PEER_BAD_REQUEST', 'LOG_FROZEN'] as const;

/** Circles across instances (SPEC §12.2): what peers send each other, and what an operator sees of them. */
@ApiTags('federation')
@Controller('api/v1/federation')
export class FederationController {
  constructor(
    private readonly federation: FederationService,
    private readonly reads: FederationReads,
  ) {}

  @ApiPost('children', 'A circle of another instance whose parent is here: recorded with child.created from its signed genesis (idempotent)', childRequestSchema, childAnswer, ...PEER_REFUSALS, 'UNKNOWN_CIRCLE', 'UNKNOWN_KEY', 'NOT_A_MEMBER', 'MALFORMED_JWS', 'BAD_SIGNATURE')
  child(@Body(new ZodPipe(childRequestSchema)) req: ChildRequest): Promise<ChildAnswer> {
    return this.federation.recordChild(req);
  }

  @ApiPost('receipts', 'A decision taken below a child on another instance: its receipt, appended here as child.decision (idempotent per decision and ancestor)', receiptRequestSchema, receiptAnswer, ...PEER_REFUSALS, 'UNKNOWN_CHILD', 'MALFORMED_JWS', 'PEER_NOT_COSIGNED')
  receipt(@Body(new ZodPipe(receiptRequestSchema)) req: ReceiptRequest): Promise<ReceiptAnswer> {
    return this.federation.recordReceipt(req);
  }

  @ApiPost('members', 'Bring a member registered on another instance here: her registry entries there, proven and appended as signed (idempotent)', memberImportSchema, memberImportAnswer, ...PEER_REFUSALS, 'UNKNOWN_KEY', 'KEY_IN_USE', 'MALFORMED_JWS', 'BAD_SIGNATURE')
  importMember(@Body(new ZodPipe(memberImportSchema)) req: MemberImport): Promise<MemberImportAnswer> {
    return this.federation.importMember(req);
  }

  @ApiRead('members/:id/registry', "A member's registry entries here (member.register and key statements), each with its inclusion proof in one signed registry checkpoint", memberRegistryAnswer, 'UNKNOWN_MEMBER')
  registry(@Param('id', MemberIdPipe) id: string): Promise<MemberRegistryAnswer> {
    return this.reads.memberRegistry(id);
  }

  @ApiRead('peers', 'The peers of this instance (FEDERATION_PEERS), their pinned keys, and the evidence of any equivocation', peersAnswer)
  peers(): Promise<PeersAnswer> {
    return this.reads.peers();
  }
}
