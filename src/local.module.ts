import { Module } from '@nestjs/common';
import { ApiModule } from './app.module';
import { WorkerHost } from './queue/worker-host';

/** `npm start`: the API and the workers in one process, for local use. */
@Module({ imports: [ApiModule], providers: [WorkerHost] })
export class LocalModule {}
