import { ValidationError, effectiveNetwork, type NetworkSetting, type PlanSpec } from '../../domain/index.js';
import type { ModelPort } from '../../models/index.js';

/**
 * What a plan file needs of its model before anything is written (issue
 * 40): its key may go only where the user allows (`VALIDATION_ERROR`
 * naming `agent.baseURL`, docs/how-to/agents.md#keys) and must be set in troupe's
 * environment (`MODEL_UNAVAILABLE` naming the variable), and where the
 * project's strategist is `llm`, a plan that lists no steps must name a
 * model. A loopback server may be the plan's own when its commands share
 * the host's network: the project's `network` and the plan's give them
 * the host's (`true`), or commands run unconfined.
 *
 * @example
 * checkPlanModel(spec, models, { strategistIsModel: false, unconfined: false }); // throws when ANTHROPIC_API_KEY is not set for an anthropic: model
 */
export function checkPlanModel(
  spec: PlanSpec,
  models: Pick<ModelPort, 'checkKey'>,
  project: { strategistIsModel: boolean; unconfined: boolean; network?: NetworkSetting },
): void {
  if (spec.agent) {
    const sharedLoopback =
      project.unconfined || effectiveNetwork(project.network ?? false, spec.network).kind === 'host';
    models.checkKey(spec.agent, { sharedLoopback });
    return;
  }
  if (project.strategistIsModel && spec.strategy === undefined) {
    throw new ValidationError(
      [
        {
          path: 'agent',
          message:
            'the project’s strategist is llm (.troupe/config.json actors.strategist): a plan without strategy needs agent.model, the model that strategizes it',
        },
      ],
      {
        subject: spec.name,
        hint: 'add an agent block (docs/how-to/agents.md), or give the plan its strategy.steps',
      },
    );
  }
}
