// The one seeded random lives in domain/ (campaign control groups draw from it too).
export { Draw, seededRandom } from '../../../domain/random';
