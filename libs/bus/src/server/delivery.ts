import { StreamEntry } from '../streams';

/** A stream entry handed to this replica, with how many times Redis has delivered it so far. */
export interface Delivery extends StreamEntry {
  deliveries: number;
}
