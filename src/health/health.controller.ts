import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiErrors } from '../common/openapi';
import { healthAnswer } from './dto/health.answers';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { HealthIndicators } from './health.indicators';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicators,
  ) {}

  @Get()
  // Documented here rather than by terminus: a failed check answers the error body (SERVICE_UNAVAILABLE, with `details`).
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiAnswer(healthAnswer)
  @ApiErrors('SERVICE_UNAVAILABLE')
  @ApiOperation({ summary: 'Database and Redis checks, with queue depths and failures, and the logs the self-audit froze, in the details' })
  check() {
    return this.health.check([() => this.indicators.database(), () => this.indicators.redis(), () => this.indicators.queueDepths(), () => this.indicators.witnessing(), () => this.indicators.logs()]);
  }
}
