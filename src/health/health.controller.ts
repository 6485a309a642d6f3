import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
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
  @HealthCheck()
  @ApiOperation({ summary: 'Database and Redis checks, with queue depths and failures in the details' })
  check() {
    return this.health.check([() => this.indicators.database(), () => this.indicators.redis(), () => this.indicators.queueDepths()]);
  }
}
