import { describe, expect, it } from 'vitest';
import {
  CovinaError,
  connectionErrors,
  errors,
  pipelineErrors,
  pluginErrors,
  scriptErrors,
  stateErrors,
} from '../src/index.js';

describe('errors map', () => {
  it('maps every code to the class that carries it', () => {
    const entries = Object.entries(errors);
    expect(entries.length).toBeGreaterThan(20);
    for (const [code, ErrorClass] of entries) {
      expect(code).toMatch(/^E_[A-Z_]+$/);
      expect((ErrorClass as unknown as { code: string }).code).toBe(code);
      expect(ErrorClass.prototype).toBeInstanceOf(CovinaError);
    }
  });

  it('keeps codes unique across areas (no area silently overrides another)', () => {
    const areas = [connectionErrors, scriptErrors, pipelineErrors, stateErrors, pluginErrors];
    const total = areas.reduce((sum, area) => sum + Object.keys(area).length, 0);
    expect(Object.keys(errors)).toHaveLength(total);
  });
});
