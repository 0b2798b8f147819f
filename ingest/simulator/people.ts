// Names, occupations and business names for synthetic parties. Every party of every event, normal
// or injected, is named from these same tables, so a name never tells which traffic it is.
import type { Rng } from './rng.js';

export const FIRST_NAMES = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Carlos', 'Karen',
  'Daniel', 'Lisa', 'Matthew', 'Nancy', 'Anthony', 'Sandra', 'Mark', 'Ashley', 'Jose', 'Emily',
  'Luis', 'Maria', 'Wei', 'Mei', 'Hiroshi', 'Yuki', 'Arjun', 'Priya', 'Mohammed', 'Fatima',
  'Oliver', 'Amelia', 'Lukas', 'Sophie', 'Pierre', 'Camille', 'Giulia', 'Marco', 'Sean', 'Aoife',
  'Kwame', 'Amara', 'Chinedu', 'Ngozi', 'Juan', 'Ana', 'Dmitri', 'Olga', 'Min-jun', 'Seo-yeon',
  'Ethan', 'Chloe', 'Noah', 'Grace', 'Lucas', 'Isabella', 'Mateo', 'Valentina', 'Ravi', 'Ananya',
] as const;

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Nguyen', 'Hill', 'Flores', 'Green',
  'Chen', 'Wang', 'Kim', 'Patel', 'Singh', 'Tanaka', 'Sato', 'Mueller', 'Schmidt', 'Dubois',
  'Rossi', 'Murphy', "O'Brien", 'Okafor', 'Mensah', 'Ivanov', 'Kowalski', 'Santos', 'Silva', 'Haddad',
  'Cohen', 'Novak', 'Jensen', 'Berg', 'Fischer', 'Moreau', 'Romano', 'Byrne', 'Adeyemi', 'Khan',
] as const;

export const OCCUPATIONS = [
  'Teacher', 'Nurse', 'Software engineer', 'Accountant', 'Sales representative', 'Retail worker',
  'Driver', 'Electrician', 'Physician', 'Lawyer', 'Student', 'Retired', 'Engineer', 'Chef',
  'Construction worker', 'Real estate agent', 'Pharmacist', 'Civil servant', 'Consultant', 'Designer',
  'Mechanic', 'Farmer', 'Self-employed', 'Homemaker', 'Police officer', 'Financial analyst',
  'Dentist', 'Warehouse worker', 'Marketing manager', 'Unemployed',
] as const;

export const SECTORS = [
  'Retail', 'Restaurants', 'Construction', 'Wholesale trade', 'Transport and logistics', 'IT services',
  'Professional services', 'Healthcare', 'Manufacturing', 'Real estate', 'Import and export',
  'Hospitality', 'Agriculture', 'Car dealership', 'Money services',
] as const;

export const BUSINESS_WORDS = [
  'Atlas', 'Summit', 'Harbor', 'Pioneer', 'Cedar', 'Northstar', 'Bluewater', 'Keystone', 'Granite', 'Evergreen',
  'Silverline', 'Redwood', 'Lakeside', 'Meridian', 'Horizon', 'Oakridge', 'Crescent', 'Liberty', 'Falcon', 'Prairie',
] as const;

export const BUSINESS_NOUNS = [
  'Trading', 'Logistics', 'Holdings', 'Supplies', 'Consulting', 'Foods', 'Builders', 'Imports', 'Services', 'Partners',
  'Distribution', 'Solutions', 'Motors', 'Ventures', 'Textiles',
] as const;

const LEGAL_FORMS: Readonly<Record<string, readonly string[]>> = {
  US: ['LLC', 'Inc', 'Corp'],
  GB: ['Ltd', 'LLP'],
  IE: ['Ltd'],
  DE: ['GmbH', 'AG'],
  FR: ['SARL', 'SAS'],
  ES: ['SL', 'SA'],
  IT: ['Srl', 'SpA'],
  NL: ['BV'],
  CA: ['Inc', 'Ltd'],
};

export function personName(rng: Rng): string {
  return `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
}

export function businessName(rng: Rng, country: string): string {
  const forms = LEGAL_FORMS[country] ?? ['Ltd', 'Co'];
  const stem = rng.chance(0.4) ? rng.pick(LAST_NAMES) : rng.pick(BUSINESS_WORDS);
  return `${stem} ${rng.pick(BUSINESS_NOUNS)} ${rng.pick(forms)}`;
}
